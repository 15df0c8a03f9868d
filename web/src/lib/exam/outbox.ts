// Lossless autosave, the browser's half. Every change of an answer gets the next
// per-attempt sequence number and waits here, in storage that survives a reload,
// until the server acknowledges that PostgreSQL committed it (or that something
// newer was already there). Only the newest save per question is kept: an older one
// would lose to it on the server anyway.
import { saveAnswerSchema, type SavedAnswer } from '@exam-hall/protocol';
import { readJson, writeJson, type KeyValueStore } from './storage.ts';

export interface OutboxEntry {
  seq: number;
  questionId: string;
  /** null clears the answer. */
  response: unknown;
  flagged: boolean;
  /** Seconds on the question since its previous save from this page (time-spent.ts). */
  timeSpentSeconds?: number;
}

/** An answer as the page shows it: the server's, or a newer one still waiting in the outbox. */
export interface ShownAnswer {
  response: unknown;
  flagged: boolean;
  seq: number;
  pending: boolean;
}

export const outboxKey = (attemptId: string) => `eh-outbox:${attemptId}`;
export const seqKey = (attemptId: string) => `eh-seq:${attemptId}`;

/** A stored entry is a save as the server takes it, less the attempt (the key says which). */
const entrySchema = saveAnswerSchema.omit({ attemptId: true });

function toEntry(v: unknown): OutboxEntry | null {
  const parsed = entrySchema.safeParse(v);
  if (!parsed.success) return null;
  const { seq, questionId, response, flagged, timeSpentSeconds } = parsed.data;
  return { seq, questionId, response: response ?? null, flagged, ...(timeSpentSeconds ? { timeSpentSeconds } : {}) };
}

export class Outbox {
  readonly attemptId: string;
  #store: KeyValueStore;

  constructor(store: KeyValueStore, attemptId: string) {
    this.#store = store;
    this.attemptId = attemptId;
  }

  // Read through on every call: another tab of the same attempt may have written.
  #read(): Map<string, OutboxEntry> {
    const raw = readJson(this.#store, outboxKey(this.attemptId));
    const entries = new Map<string, OutboxEntry>();
    if (Array.isArray(raw)) {
      for (const e of raw.map(toEntry)) if (e) entries.set(e.questionId, e);
    }
    return entries;
  }

  #write(entries: Map<string, OutboxEntry>): void {
    if (entries.size === 0) this.#store.removeItem(outboxKey(this.attemptId));
    else writeJson(this.#store, outboxKey(this.attemptId), [...entries.values()]);
  }

  /** The highest sequence number this browser has used (or seen the server apply) for the attempt. */
  get seq(): number {
    const n = Number(this.#store.getItem(seqKey(this.attemptId)));
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  }

  #setSeq(n: number): void {
    this.#store.setItem(seqKey(this.attemptId), String(n));
  }

  /** After joining: the next save must be numbered above everything the server has applied. */
  observe(serverLastSeq: number): void {
    if (serverLastSeq > this.seq) this.#setSeq(serverLastSeq);
  }

  /** Queues the newest answer to a question, replacing an older one still waiting. */
  put(questionId: string, response: unknown, flagged: boolean, timeSpentSeconds = 0): OutboxEntry {
    const entries = this.#read();
    const highest = Math.max(this.seq, ...[...entries.values()].map((e) => e.seq));
    const entry: OutboxEntry = {
      seq: highest + 1,
      questionId,
      response,
      flagged,
      ...(timeSpentSeconds ? { timeSpentSeconds } : {}),
    };
    // The counter is written first: a number once handed out is never handed out again.
    this.#setSeq(entry.seq);
    entries.set(questionId, entry);
    this.#write(entries);
    return entry;
  }

  /** Waiting saves in the order they were made: the order to send them in. */
  entries(): OutboxEntry[] {
    return [...this.#read().values()].sort((a, b) => a.seq - b.seq);
  }

  get(questionId: string): OutboxEntry | undefined {
    return this.#read().get(questionId);
  }

  get size(): number {
    return this.#read().size;
  }

  /**
   * The server answered for `seq`: removes the entry if it is still that save. A newer
   * save made while this one was on its way stays, and goes next.
   */
  settle(questionId: string, seq: number): boolean {
    const entries = this.#read();
    if (entries.get(questionId)?.seq !== seq) return false;
    entries.delete(questionId);
    this.#write(entries);
    return true;
  }

  /** Drops saves the server already holds, or holds something newer than (its seq is at least theirs). */
  prune(saved: readonly Pick<SavedAnswer, 'questionId' | 'seq'>[]): number {
    const entries = this.#read();
    let dropped = 0;
    for (const s of saved) {
      const e = entries.get(s.questionId);
      if (e && e.seq <= s.seq) {
        entries.delete(s.questionId);
        dropped++;
      }
    }
    if (dropped) this.#write(entries);
    return dropped;
  }
}

/** What the page shows per question: the outbox wins where its save is newer than the server's. */
export function mergeAnswers(saved: readonly SavedAnswer[], pending: readonly OutboxEntry[]): Map<string, ShownAnswer> {
  const shown = new Map<string, ShownAnswer>();
  for (const s of saved)
    shown.set(s.questionId, { response: s.response, flagged: s.flagged, seq: s.seq, pending: false });
  for (const e of pending) {
    const current = shown.get(e.questionId);
    if (!current || e.seq > current.seq) {
      shown.set(e.questionId, { response: e.response, flagged: e.flagged, seq: e.seq, pending: true });
    }
  }
  return shown;
}

/**
 * What the page does with a save the server did not acknowledge:
 * - `hold`: paused or time up; kept, sent again when the proctor resumes.
 * - `drop`: it can never be saved as it is; keeping it would block everything behind it.
 * - `replay`: the connection dropped; kept, the reconnect replays it.
 * - `retry`: the server could not take it now (`unavailable` while its database restarts,
 *   `internal`, `rate_limited`, no answer in time, or a code this page does not know yet);
 *   kept, and sent again with a growing back-off. Never dropped: losing an answer is worse.
 */
export type SaveFailure = 'hold' | 'drop' | 'replay' | 'retry';

export function saveFailure(code: string): SaveFailure {
  switch (code) {
    case 'invalid_transition':
      return 'hold';
    case 'validation_failed':
    case 'not_found':
      return 'drop';
    case 'disconnected':
      return 'replay';
    default:
      return 'retry';
  }
}

/**
 * Failed saves are retried with a doubling wait capped here. A database restart answers
 * `unavailable` for a few seconds; retrying at most 4 s apart lands the save within about
 * 5 s of its return. Saves are small and rate-limited per socket, so a hall retrying at
 * this pace is no burden (and `retryJitter` keeps a hall from retrying in step).
 */
export const SAVE_RETRY_MAX_MS = 4000;

/** The wait before the next retry after `ms`: doubling from 1 s up to `maxMs`. */
export const nextRetryMs = (ms: number, maxMs = SAVE_RETRY_MAX_MS) => Math.min(maxMs, ms * 2);

/** 80-100 % of `ms`: the pages of a whole hall that failed together do not all retry at the same instant. */
export const retryJitter = (ms: number, random = Math.random()) => Math.round(ms * (0.8 + 0.2 * random));
