// Proctoring signals wait here until the server stored them, so an event that happens
// offline (or just before a reload) still reaches the proctor. Each has a client id:
// a replay after a lost acknowledgement is stored once.
import type { ClientAck, ProctorSignal, ProctorSignalType } from '@exam-hall/protocol';
import { proctorSignalTypes } from '@exam-hall/protocol';
import { NO_ANSWER, request } from '../socket-request.ts';
import type { ExamContext } from './state.ts';
import { randomId, readJson, writeJson, type KeyValueStore } from './storage.ts';

export interface QueuedSignal {
  clientEventId: string;
  type: ProctorSignalType;
  /** Device time it began (Date.now): only used for a duration, on the same device. */
  at: number;
  durationMs?: number;
  questionId?: string;
  /** Still going on (tab hidden, offline): sent when it ends, with how long it lasted. */
  held?: boolean;
  /** Camera signals: how sure the detector is (0-1), and what it measured. */
  confidence?: number;
  measure?: ProctorSignal['measure'];
}

/** The server stored a signal: its answer (the camera uploads an evidence frame when asked). */
export type SignalStored = (signal: QueuedSignal, ack: ClientAck<'proctor:signal'>) => void;

/** Enough for any honest exam; a flood of blur events must not fill the storage. */
export const MAX_QUEUED_SIGNALS = 200;
const MAX_DURATION_MS = 86_400_000;
const clampDuration = (ms: number) => Math.min(MAX_DURATION_MS, Math.max(0, Math.round(ms)));

export const signalsKey = (attemptId: string) => `eh-signals:${attemptId}`;

function isSignal(v: unknown): v is QueuedSignal {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.clientEventId === 'string' &&
    (proctorSignalTypes as readonly unknown[]).includes(s.type) &&
    typeof s.at === 'number'
  );
}

export class SignalQueue {
  #store: KeyValueStore;
  #key: string;
  #onStored = new Set<SignalStored>();

  constructor(store: KeyValueStore, attemptId: string) {
    this.#store = store;
    this.#key = signalsKey(attemptId);
  }

  #read(): QueuedSignal[] {
    const raw = readJson(this.#store, this.#key);
    return Array.isArray(raw) ? raw.filter(isSignal) : [];
  }

  #write(list: QueuedSignal[]): void {
    if (list.length === 0) this.#store.removeItem(this.#key);
    else writeJson(this.#store, this.#key, list.slice(-MAX_QUEUED_SIGNALS));
  }

  add(
    type: ProctorSignalType,
    options: Pick<QueuedSignal, 'held' | 'questionId' | 'durationMs' | 'confidence' | 'measure'> & {
      now?: number;
    } = {},
  ): QueuedSignal {
    const signal: QueuedSignal = { clientEventId: randomId(), type, at: options.now ?? Date.now() };
    if (options.held) signal.held = true;
    if (options.questionId) signal.questionId = options.questionId;
    if (options.durationMs !== undefined) signal.durationMs = clampDuration(options.durationMs);
    if (options.confidence !== undefined) signal.confidence = Math.min(1, Math.max(0, options.confidence));
    if (options.measure) signal.measure = options.measure;
    this.#write([...this.#read(), signal]);
    return signal;
  }

  /**
   * Ends the held signals `match` picks: they go out, with how long they lasted when
   * `now` is given (a signal held by a page that was closed has no known end).
   */
  releaseHeld(match: (s: QueuedSignal) => boolean, now?: number): void {
    const list = this.#read();
    let changed = false;
    for (const s of list) {
      if (!s.held || !match(s)) continue;
      delete s.held;
      if (now !== undefined) s.durationMs = clampDuration(now - s.at);
      changed = true;
    }
    if (changed) this.#write(list);
  }

  findHeld(type: ProctorSignalType): QueuedSignal | undefined {
    return this.#read().find((s) => s.held && s.type === type);
  }

  /** Signals ready to send, oldest first. */
  ready(): QueuedSignal[] {
    return this.#read().filter((s) => !s.held);
  }

  remove(clientEventId: string): void {
    this.#write(this.#read().filter((s) => s.clientEventId !== clientEventId));
  }

  /** Calls `fn` with each signal the server acknowledged from now on; answers the function that stops it. */
  onStored(fn: SignalStored): () => void {
    this.#onStored.add(fn);
    return () => this.#onStored.delete(fn);
  }

  stored(signal: QueuedSignal, ack: ClientAck<'proctor:signal'>): void {
    for (const fn of this.#onStored) fn(signal, ack);
  }
}

/** Sends the queued signals in order over the exam's socket; what fails stays for the next try. */
export class SignalSender {
  readonly #ctx: ExamContext;
  readonly #retrySoon: () => void;
  #sending = false;
  /** Asked to flush while sending: a signal added meanwhile goes out in another round. */
  #again = false;

  constructor(ctx: ExamContext, retrySoon: () => void) {
    this.#ctx = ctx;
    this.#retrySoon = retrySoon;
  }

  async flush(): Promise<void> {
    const { socket, state, signals } = this.#ctx;
    if (this.#sending) {
      this.#again = true;
      return;
    }
    if (!socket?.connected || !state.joined || state.ending) return;
    this.#sending = true;
    let failed = false;
    try {
      for (const s of signals.ready()) {
        const reply = await request(socket, 'proctor:signal', {
          attemptId: this.#ctx.attemptId,
          type: s.type,
          clientEventId: s.clientEventId,
          ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
          ...(s.questionId ? { questionId: s.questionId } : {}),
          ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
          ...(s.measure ? { measure: s.measure } : {}),
        });
        if (reply.ok || reply.error.code === 'validation_failed') {
          signals.remove(s.clientEventId);
          if (reply.ok) signals.stored(s, reply.data);
        } else {
          if (reply.error.code !== NO_ANSWER.disconnected) this.#retrySoon();
          failed = true;
          return;
        }
      }
    } finally {
      this.#sending = false;
      const again = this.#again && !failed;
      this.#again = false;
      if (again) void this.flush();
    }
  }
}
