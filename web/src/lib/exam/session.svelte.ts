// One student's attempt in the live hall, as the exam page sees it: the snapshot from
// joining, answers (the server's, overlaid by the outbox), the fair clock, the
// connection, proctor messages and the end. The socket reconnects by itself; every
// (re)connect joins again, then replays the outbox and the queued signals.
import {
  attemptSnapshotSchema,
  type AckReply,
  type AttemptSnapshot,
  type AttemptStatus,
  type AttemptSummary,
  type Clock,
  type SavedAnswer,
} from '@exam-hall/protocol';
import { refreshAfter401 } from '#lib/api.ts';
import {
  addedSeconds,
  bestAnchor,
  describeSeconds,
  dueWarning,
  remainingMs,
  serverNow,
  type ClockAnchor,
  type SyncSample,
  type Warning,
} from './clock.ts';
import {
  mergeAnswers,
  nextRetryMs,
  Outbox,
  outboxKey,
  retryJitter,
  saveFailure,
  seqKey,
  type OutboxEntry,
} from './outbox.ts';
import { isAnswered, toExamQuestions, type ExamQuestion } from './questions.ts';
import { SignalQueue, signalsKey } from './signals.ts';
import { openHallSocket, request, type HallSocket } from './socket.ts';
import { browserStore, deviceId, readJson, writeJson, type KeyValueStore, type SafeStore } from './storage.ts';

const FINAL_STATUSES: readonly AttemptStatus[] = ['submitted', 'expired', 'abandoned', 'invalidated'];
export const isFinalStatus = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);

/** Saves on the wire at once; the server allows bursts of 60 messages per socket. */
const MAX_IN_FLIGHT = 8;
const SYNC_SAMPLES = 5;
const RESYNC_MS = 5 * 60_000;

export const snapshotKey = (attemptId: string) => `eh-snapshot:${attemptId}`;
export const currentQuestionKey = (attemptId: string) => `eh-exam-current:${attemptId}`;

/**
 * The attempt is final: nothing can be saved any more, and nothing of it should linger on
 * the device. Answers how many saves were still waiting (they can no longer land).
 */
export function forgetAttempt(attemptId: string, store: KeyValueStore = browserStore()): number {
  const unsent = new Outbox(store, attemptId).size;
  for (const key of [outboxKey, seqKey, signalsKey, snapshotKey, currentQuestionKey]) store.removeItem(key(attemptId));
  return unsent;
}

/** What this device remembers of the last join, so a reload while offline still shows the exam. */
interface CachedSnapshot {
  snapshot: AttemptSnapshot;
  /** Server time minus device time when last measured. */
  offsetMs: number | null;
}

type ClockState = Pick<Clock, 'status' | 'deadlineAt' | 'pausedAt'>;

export interface ProctorMessage {
  id: number;
  text: string;
  from: string;
  sentAt: string;
}

export interface Ending {
  status: string;
  reason: string;
  submittedAt: string | null;
  /** Saves still waiting when the attempt ended elsewhere (time up, proctor): they cannot land now. */
  unsent: number;
}

export type Link = 'connecting' | 'online' | 'offline';

export interface InitialAttempt {
  attempt: AttemptSummary;
  serverTime: string;
  /** performance.now() when the request left and when its answer was read. */
  sentAt: number;
  receivedAt: number;
}

export class ExamSession {
  readonly attemptId: string;
  readonly outbox: Outbox;
  readonly signals: SignalQueue;
  #store: SafeStore;
  #deviceId: string;
  #socket: HallSocket | null = null;
  #anchor: ClockAnchor | null = null;
  // Bookkeeping, not state: the page reads the outbox (`pending`) and `warning`.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #inFlight = new Map<string, number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #warned = new Set<Warning>();
  #generation = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = 1000;
  #sendingSignals = false;
  #refreshedSession = false;
  #messageId = 0;
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #hangUpTimer: ReturnType<typeof setTimeout> | undefined;
  #everConnected = $state(false);

  attempt = $state<AttemptSnapshot['attempt'] | null>(null);
  questions = $state<ExamQuestion[]>([]);
  /** The server's answers as last known (snapshot, then every acknowledged save). */
  saved = $state<SavedAnswer[]>([]);
  pending = $state<OutboxEntry[]>([]);
  answers = $derived(mergeAnswers(this.saved, this.pending));
  answeredCount = $derived([...this.answers.values()].filter((a) => isAnswered(a.response)).length);
  clock = $state<ClockState | null>(null);
  /** Server time, ticking once a second. */
  now = $state(0);
  remaining = $derived(this.clock ? remainingMs(this.clock, this.now) : null);
  connected = $state(false);
  joined = $state(false);
  browserOnline = $state(true);
  /** Why waiting saves cannot go now (paused, time up); they are kept. */
  saveProblem = $state('');
  /** This page cannot carry on (not this browser's attempt, signed out). */
  fatal = $state('');
  /** The attempt continues on another device (a proctor's resume code): this page is only a record now. */
  movedAway = $state(false);
  warning = $state<Warning | null>(null);
  /** Said at once to screen readers: time warnings, pause, resume, extension. */
  alertText = $state('');
  clockNotice = $state('');
  /** The proctor's reason for the current pause, when they gave one. */
  pauseReason = $state('');
  messages = $state<ProctorMessage[]>([]);
  ending = $state<Ending | null>(null);
  submitStage = $state<'idle' | 'draining' | 'sending'>('idle');
  submitProblem = $state('');
  /** Goes up when the server says the attempt was graded. */
  graded = $state(0);
  /** False when this browser refuses storage: a reload would lose unsent answers. */
  persistent = $state(true);
  /** The exam on screen came from this device's copy: no server answer yet in this page load. */
  fromCache = $state(false);

  // The browser knows when it has no network at all, before the socket notices.
  link: Link = $derived(
    !this.browserOnline || (!this.connected && this.#everConnected)
      ? 'offline'
      : this.connected && this.joined
        ? 'online'
        : 'connecting',
  );
  paused = $derived(this.clock?.status === 'paused');
  timeUp = $derived(this.clock?.status === 'in_progress' && this.remaining === 0);
  canAnswer = $derived(
    this.attempt !== null &&
      this.ending === null &&
      !this.movedAway &&
      this.clock?.status === 'in_progress' &&
      this.remaining !== 0,
  );

  constructor(attemptId: string, initial: InitialAttempt | null, store: SafeStore = browserStore()) {
    this.attemptId = attemptId;
    this.#store = store;
    this.outbox = new Outbox(store, attemptId);
    this.signals = new SignalQueue(store, attemptId);
    this.#deviceId = deviceId(store);
    this.#loadCache();
    if (initial) this.#applyInitial(initial);
    this.#refreshPending();
    this.#tick();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Opens the socket and starts the clock; answers the stop function (for $effect). */
  start(): () => void {
    this.browserOnline = navigator.onLine;
    const socket = openHallSocket();
    this.#socket = socket;
    socket.on('connect', () => void this.#onConnect());
    socket.on('disconnect', (reason) => this.#onDisconnect(reason));
    socket.on('connect_error', (err) => void this.#onConnectError(err));
    socket.on('attempt:clock', (c) => this.#onClock(c));
    socket.on('attempt:ended', (p) => this.#onEnded(p));
    socket.on('attempt:message', (m) => {
      this.messages = [...this.messages, { id: ++this.#messageId, ...m }];
    });
    socket.on('attempt:graded', (p) => {
      if (p.attemptId !== this.attemptId) return;
      this.graded++;
      this.#socket?.disconnect();
    });
    socket.on('attempt:moved', (p) => this.#onMoved(p.attemptId));
    socket.on('session:ended', () => {
      // The attempt cookie may still carry the socket; if not, the reconnect says so.
      this.#announce('Your sign-in session ended. Reconnecting with this attempt…');
    });
    socket.connect();

    const tick = setInterval(() => this.#tick(), 1000);
    const resync = setInterval(() => void this.#syncClock([]), RESYNC_MS);
    const online = () => {
      this.browserOnline = true;
      // Do not wait for socket.io's back-off: the network is back now.
      if (!socket.connected && !this.ending && !this.fatal) socket.connect();
    };
    const offline = () => (this.browserOnline = false);
    const storage = (e: StorageEvent) => {
      if (e.key?.endsWith(this.attemptId)) this.#refreshPending();
    };
    const visible = () => {
      // A sleeping device may have stopped the monotonic clock: measure again.
      if (document.visibilityState === 'visible' && this.joined) void this.#syncClock([]);
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    window.addEventListener('storage', storage);
    document.addEventListener('visibilitychange', visible);

    return () => {
      clearInterval(tick);
      clearInterval(resync);
      clearTimeout(this.#retryTimer);
      clearTimeout(this.#announceTimer);
      clearTimeout(this.#hangUpTimer);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      window.removeEventListener('storage', storage);
      document.removeEventListener('visibilitychange', visible);
      socket.removeAllListeners();
      socket.disconnect();
      this.#socket = null;
    };
  }

  async #onConnect(): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const generation = ++this.#generation;
    // Over: the socket only stayed for the graded event, and a rejoin would count as presence.
    if (this.ending) {
      socket.disconnect();
      return;
    }
    this.connected = true;
    this.#everConnected = true;
    this.#refreshedSession = false;
    const sentAt = performance.now();
    const reply = await request(socket, 'attempt:join', [{ attemptId: this.attemptId, deviceId: this.#deviceId }]);
    if (generation !== this.#generation || !socket.connected) return;
    if (!reply.ok) {
      if (reply.error.code === 'not_found') {
        this.fatal =
          'This attempt is not open in this browser. Start your exam again with your email and access code, or sign in.';
        socket.disconnect();
      } else {
        // Rate limited or a hiccup on the server: join again shortly, on the same connection.
        setTimeout(() => {
          if (generation === this.#generation && socket.connected) void this.#onConnect();
        }, 2000);
      }
      return;
    }
    const sample = { sentAt, receivedAt: performance.now(), serverTime: Date.parse(reply.data.clock.serverTime) };
    this.#applySnapshot(reply.data, sample);
    this.joined = true;
    this.#retryMs = 1000;
    if (isFinalStatus(reply.data.attempt.status)) {
      this.#finish({ status: reply.data.attempt.status, reason: reply.data.attempt.status });
      return;
    }
    this.flush();
    void this.#flushSignals();
    void this.#syncClock([sample]);
  }

  #onDisconnect(reason: string): void {
    this.#generation++;
    this.connected = false;
    this.joined = false;
    this.#inFlight.clear();
    // Anything socket.io buffered would be sent after reconnecting, behind the outbox's back.
    if (this.#socket) this.#socket.sendBuffer.length = 0;
    // The server closed it (restart, revoked session): socket.io does not retry that by itself.
    if (reason === 'io server disconnect' && !this.ending && !this.fatal) {
      setTimeout(() => this.#socket?.connect(), 1000);
    }
  }

  async #onConnectError(err: Error): Promise<void> {
    const socket = this.#socket;
    // Network trouble: socket.io keeps trying by itself.
    if (!socket || socket.active) return;
    // Refused by the server's handshake: an expired access cookie can be renewed once.
    if (err.message === 'unauthenticated' && !this.#refreshedSession) {
      this.#refreshedSession = true;
      if (await refreshAfter401()) {
        socket.connect();
        return;
      }
    }
    if (err.message === 'unauthenticated' || err.message === 'session_revoked') {
      this.fatal =
        'This browser is no longer signed in to this attempt. Sign in again, or start again with your email and access code: your saved answers are kept.';
      return;
    }
    setTimeout(() => this.#socket?.connect(), 3000);
  }

  // ---------------------------------------------------------------- snapshot and cache

  #applyInitial(initial: InitialAttempt): void {
    const sample = {
      sentAt: initial.sentAt,
      receivedAt: initial.receivedAt,
      serverTime: Date.parse(initial.serverTime),
    };
    this.#anchor = bestAnchor([sample]);
    const a = initial.attempt;
    // A paused attempt's frozen time needs pausedAt, which only the hall sends: wait for the join.
    if (a.status === 'paused') this.clock = this.clock?.status === 'paused' ? this.clock : null;
    else this.clock = { status: a.status, deadlineAt: a.deadlineAt, pausedAt: null };
  }

  #applySnapshot(snap: AttemptSnapshot, sample: SyncSample): void {
    const before = this.clock;
    this.attempt = snap.attempt;
    this.questions = toExamQuestions(snap.questions);
    this.saved = snap.answers;
    this.fromCache = false;
    this.outbox.observe(snap.lastSeq);
    this.outbox.prune(snap.answers);
    this.#refreshPending();
    this.#anchor = bestAnchor([sample]);
    // A pause or extension can reach this page before the join's answer does (the
    // socket is in the room while the snapshot is built); the newer clock wins.
    if (this.#takeClock(snap.clock)) {
      this.clock = snap.clock;
      this.pauseReason = snap.clock.status === 'paused' ? (snap.clock.pauseReason ?? '') : '';
    }
    // An extension or downtime credit while this page was away: say so.
    const moved = addedSeconds(before, snap.clock);
    if (before?.status === 'in_progress' && snap.clock.status === 'in_progress' && moved > 0) {
      this.#clockSays(`${describeSeconds(moved)} were added to your time while you were disconnected.`);
    }
    this.#tick();
    this.#writeCache(snap);
  }

  #loadCache(): void {
    const raw = readJson(this.#store, snapshotKey(this.attemptId)) as Partial<CachedSnapshot> | undefined;
    const parsed = attemptSnapshotSchema.safeParse(raw?.snapshot);
    if (!parsed.success) return;
    const snap = parsed.data;
    this.attempt = snap.attempt;
    this.questions = toExamQuestions(snap.questions);
    this.saved = snap.answers;
    this.clock = snap.clock;
    this.pauseReason = snap.clock.status === 'paused' ? (snap.clock.pauseReason ?? '') : '';
    this.fromCache = true;
    if (typeof raw?.offsetMs === 'number') {
      this.#anchor = { server: Date.now() + raw.offsetMs, local: performance.now(), rtt: Number.MAX_SAFE_INTEGER };
    }
  }

  #writeCache(snap?: AttemptSnapshot): void {
    if (this.ending) return;
    const current = snap ?? this.#cachedSnapshot();
    if (!current) return;
    const offsetMs = this.#anchor ? serverNow(this.#anchor, performance.now()) - Date.now() : null;
    const clock = this.clock ? { ...current.clock, ...this.clock } : current.clock;
    const cached: CachedSnapshot = { snapshot: { ...current, clock, answers: this.saved }, offsetMs };
    writeJson(this.#store, snapshotKey(this.attemptId), cached);
    this.persistent = this.#store.persistent;
  }

  #cachedSnapshot(): AttemptSnapshot | null {
    const raw = readJson(this.#store, snapshotKey(this.attemptId)) as Partial<CachedSnapshot> | undefined;
    const parsed = attemptSnapshotSchema.safeParse(raw?.snapshot);
    return parsed.success ? parsed.data : null;
  }

  #refreshPending(): void {
    this.pending = this.outbox.entries();
    this.persistent = this.#store.persistent;
  }

  // ---------------------------------------------------------------- clock

  async #syncClock(samples: SyncSample[]): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    const generation = this.#generation;
    const fresh = [...samples];
    for (let i = 0; i < SYNC_SAMPLES; i++) {
      const sentAt = performance.now();
      const reply = await request(socket, 'time:sync', [], 5000);
      if (!reply.ok || generation !== this.#generation) break;
      fresh.push({ sentAt, receivedAt: performance.now(), serverTime: Date.parse(reply.data.serverTime) });
    }
    // Only this connection's samples: an old anchor may predate a device sleep.
    const anchor = bestAnchor(fresh);
    if (anchor && generation === this.#generation) {
      this.#anchor = anchor;
      this.#tick();
      this.#writeCache();
    }
  }

  #tick(): void {
    this.now = this.#anchor ? serverNow(this.#anchor, performance.now()) : Date.now();
    const left = this.remaining;
    if (this.clock?.status !== 'in_progress' || left === null || left === 0 || this.ending) return;
    const due = dueWarning(left, this.#warned);
    if (due) {
      this.warning = due;
      this.#announce(due === 5 ? 'Less than 5 minutes left.' : 'Less than 1 minute left.');
    } else if (this.warning !== null && left > this.warning * 60_000) {
      this.warning = null;
    }
  }

  #clockSays(text: string): void {
    this.clockNotice = text;
    this.#announce(text);
  }

  /** Empties the live region first, so the same sentence twice is announced twice. */
  #announce(text: string): void {
    this.alertText = '';
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => (this.alertText = text), 100);
  }

  /** Server time of the clock on screen; older clocks arriving late are ignored. */
  #clockAt = 0;
  #takeClock(c: Clock): boolean {
    const at = Date.parse(c.serverTime);
    if (at < this.#clockAt) return false;
    this.#clockAt = at;
    return true;
  }

  #onClock(c: Clock): void {
    if (c.attemptId !== this.attemptId || !this.#takeClock(c)) return;
    const before = this.clock;
    this.clock = c;
    // The server says how far the deadline moved; a page that missed the previous clock cannot work it out.
    const moved = c.deltaSeconds ?? addedSeconds(before, c);
    switch (c.reason) {
      case 'extended':
        this.#clockSays(
          moved < 0
            ? `Your proctor took ${describeSeconds(-moved)} from your time.`
            : `Your time was extended by ${describeSeconds(moved)}.`,
        );
        break;
      case 'disconnect_credit':
        this.#clockSays(`${describeSeconds(Math.max(0, moved))} were added for the time you were disconnected.`);
        break;
      case 'paused':
        // The page shows the pause as long as it lasts; an older notice would only distract.
        this.clockNotice = '';
        this.pauseReason = c.pauseReason ?? '';
        this.#announce(
          `Paused by the proctor.${this.pauseReason ? ` Reason: ${this.pauseReason}.` : ''} The clock is stopped and your answers are kept.`,
        );
        break;
      case 'resumed':
        this.pauseReason = '';
        this.saveProblem = '';
        this.#clockSays('The proctor resumed your exam. The clock is running again.');
        this.flush();
        break;
    }
    this.#tick();
    this.#writeCache();
  }

  // ---------------------------------------------------------------- answers

  /** Records a new answer (null clears it); the flag stays as it was. */
  answer(questionId: string, response: unknown): void {
    const flagged = this.answers.get(questionId)?.flagged ?? false;
    this.#put(questionId, isAnswered(response) ? response : null, flagged);
  }

  flag(questionId: string, flagged: boolean): void {
    const response = this.answers.get(questionId)?.response ?? null;
    this.#put(questionId, response, flagged);
  }

  #put(questionId: string, response: unknown, flagged: boolean): void {
    if (!this.canAnswer) return;
    this.outbox.put(questionId, response, flagged);
    this.#refreshPending();
    this.flush();
  }

  /** Sends what waits in the outbox, oldest first, one save per question at a time. */
  flush(): void {
    const socket = this.#socket;
    if (!socket?.connected || !this.joined || this.ending || this.paused) return;
    for (const entry of this.outbox.entries()) {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) break;
      if (this.#inFlight.has(entry.questionId)) continue;
      void this.#send(socket, entry);
    }
  }

  async #send(socket: HallSocket, entry: OutboxEntry): Promise<void> {
    this.#inFlight.set(entry.questionId, entry.seq);
    const { seq, questionId, response, flagged } = entry;
    const reply = await request(socket, 'answer:save', [
      { attemptId: this.attemptId, seq, questionId, response, flagged },
    ]);
    if (this.#inFlight.get(entry.questionId) === entry.seq) this.#inFlight.delete(entry.questionId);
    this.#settle(entry, reply);
  }

  #settle(entry: OutboxEntry, reply: AckReply<{ applied: boolean }>): void {
    if (reply.ok) {
      // Applied or not, the server now holds this save or a newer one.
      const known = this.saved.find((s) => s.questionId === entry.questionId);
      if (!known || known.seq < entry.seq) {
        const { questionId, response, flagged, seq } = entry;
        this.saved = [...this.saved.filter((s) => s.questionId !== questionId), { questionId, response, flagged, seq }];
      }
      this.outbox.settle(entry.questionId, entry.seq);
      this.saveProblem = '';
      this.#retryMs = 1000;
      this.#refreshPending();
      this.#writeCache();
      this.flush();
      return;
    }
    switch (saveFailure(reply.error.code)) {
      case 'hold':
        this.saveProblem = reply.error.message;
        return;
      case 'drop': {
        this.outbox.settle(entry.questionId, entry.seq);
        this.#refreshPending();
        const n = this.questions.findIndex((q) => q.id === entry.questionId) + 1;
        this.saveProblem = `Your answer to question ${n} could not be saved: ${reply.error.message} Please answer it again.`;
        this.flush();
        return;
      }
      case 'replay':
        return;
      case 'retry':
        // Kept in the outbox (a database restart answers `unavailable`): sent again after a back-off.
        this.#retrySoon();
    }
  }

  #retrySoon(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.flush();
      void this.#flushSignals();
    }, retryJitter(this.#retryMs));
    this.#retryMs = nextRetryMs(this.#retryMs);
  }

  // ---------------------------------------------------------------- signals

  /** Sends queued proctoring signals in order; what fails stays for the next try. */
  flushSignals(): void {
    void this.#flushSignals();
  }

  async #flushSignals(): Promise<void> {
    const socket = this.#socket;
    if (this.#sendingSignals || !socket?.connected || !this.joined || this.ending) return;
    this.#sendingSignals = true;
    try {
      for (const s of this.signals.ready()) {
        const reply = await request(socket, 'proctor:signal', [
          {
            attemptId: this.attemptId,
            type: s.type,
            clientEventId: s.clientEventId,
            ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
            ...(s.questionId ? { questionId: s.questionId } : {}),
          },
        ]);
        if (reply.ok || reply.error.code === 'validation_failed') {
          this.signals.remove(s.clientEventId);
        } else {
          if (reply.error.code !== 'disconnected') this.#retrySoon();
          return;
        }
      }
    } finally {
      this.#sendingSignals = false;
    }
  }

  // ---------------------------------------------------------------- submit and end

  /** Waits for the outbox to drain, then submits. */
  async submit(): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.submitStage !== 'idle' || this.ending) return;
    this.submitProblem = '';
    this.submitStage = 'draining';
    this.flush();
    while (!this.ending && (this.outbox.size > 0 || this.#inFlight.size > 0)) {
      if (this.saveProblem && this.#inFlight.size === 0 && this.connected) {
        this.submitStage = 'idle';
        this.submitProblem = `Not submitted yet: ${this.saveProblem}`;
        return;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    if (this.ending) return;
    this.submitStage = 'sending';
    const reply = await request(socket, 'attempt:submit', [{ attemptId: this.attemptId }]);
    this.submitStage = 'idle';
    if (reply.ok) {
      this.#finish({ status: reply.data.status, reason: 'submitted', submittedAt: reply.data.submittedAt });
      return;
    }
    if (this.ending) return;
    this.submitProblem =
      reply.error.code === 'disconnected' || reply.error.code === 'timeout'
        ? 'Your exam was not submitted: the connection dropped. When you are back online, submit again.'
        : `Your exam was not submitted: ${reply.error.message}`;
  }

  /** The server closes this socket next and this browser's attempt cookie no longer opens the attempt. */
  #onMoved(attemptId: string): void {
    if (attemptId !== this.attemptId || this.movedAway) return;
    this.movedAway = true;
    const unsent = this.outbox.size;
    this.fatal =
      'Your exam moved to another device: it continues there with your saved answers and the same clock. This page can no longer save answers' +
      (unsent > 0
        ? ` (${unsent === 1 ? '1 answer' : `${unsent} answers`} made here had not reached the server; enter ${unsent === 1 ? 'it' : 'them'} again on the other device).`
        : '.') +
      ' If you did not ask for this, tell your proctor now.';
    this.#socket?.disconnect();
  }

  #onEnded(p: { attemptId: string; status: string; reason: string }): void {
    if (p.attemptId !== this.attemptId) return;
    this.#finish(p);
  }

  #finish(p: { status: string; reason: string; submittedAt?: string | null }): void {
    if (this.ending) {
      if (p.submittedAt) this.ending = { ...this.ending, submittedAt: p.submittedAt };
      return;
    }
    const unsent = forgetAttempt(this.attemptId, this.#store);
    this.ending = { status: p.status, reason: p.reason, submittedAt: p.submittedAt ?? null, unsent };
    this.#refreshPending();
    // Stay a little for the graded event (grading takes seconds); the result page asks by itself too.
    const gradable = p.status === 'submitted' || p.status === 'expired';
    clearTimeout(this.#hangUpTimer);
    this.#hangUpTimer = setTimeout(() => this.#socket?.disconnect(), gradable ? 2 * 60_000 : 0);
  }
}
