// One student's attempt over a socket it is given: join on every (re)connect, then
// replay the outbox and the queued signals; the end (submitted, time up, proctor),
// the move to another device, and what a refused handshake means. Plain TypeScript on
// a plain state object, so the unit tests drive it with a fake socket; the page wraps
// it in session.svelte.ts.
import type { AttemptSnapshot, AttemptStatus } from '@exam-hall/protocol';
import { afterRefusedHandshake } from '../live-socket.svelte.ts';
import { request, type AppSocket } from '../socket-request.ts';
import { AnswerSender } from './answers.ts';
import { forgetAttempt, SnapshotCache } from './cache.ts';
import { Outbox } from './outbox.ts';
import { toExamQuestions } from './questions.ts';
import { SignalQueue, SignalSender } from './signals.ts';
import { isFinalStatus, refreshPending, type ExamContext, type ExamState, type InitialAttempt } from './state.ts';
import { deviceId, type SafeStore } from './storage.ts';
import { submitAttempt } from './submit.ts';
import { Timekeeper } from './timekeeper.ts';

type End = { status: AttemptStatus; reason: string; submittedAt?: string | null };

export class ExamCore {
  readonly ctx: ExamContext;
  readonly answers: AnswerSender;
  readonly clock: Timekeeper;
  readonly #signals: SignalSender;
  readonly #cache: SnapshotCache;
  readonly #deviceId: string;
  #refreshedSession = false;
  #messageId = 0;
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #hangUpTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(attemptId: string, state: ExamState, initial: InitialAttempt | null, store: SafeStore) {
    this.ctx = {
      attemptId,
      state,
      store,
      outbox: new Outbox(store, attemptId),
      signals: new SignalQueue(store, attemptId),
      socket: null,
      generation: 0,
      announce: (text) => this.#announce(text),
    };
    this.#cache = new SnapshotCache(store, attemptId);
    this.#deviceId = deviceId(store);
    this.answers = new AnswerSender(this.ctx);
    this.clock = new Timekeeper(this.ctx);
    this.#signals = new SignalSender(this.ctx, () => this.answers.retrySoon());
    this.answers.onsaved = () => this.writeCache();
    this.answers.onretry = () => void this.flushSignals();
    this.clock.onchange = () => this.writeCache();
    this.clock.onresume = () => this.answers.flush();
    this.#loadCache();
    if (initial) this.clock.applyInitial(initial);
    refreshPending(this.ctx);
    this.clock.tick();
  }

  get state(): ExamState {
    return this.ctx.state;
  }

  /** Listens on `socket` and connects it; answers the function that lets it go. */
  attach(socket: AppSocket): () => void {
    this.ctx.socket = socket;
    socket.on('connect', () => void this.#onConnect());
    socket.on('disconnect', (reason) => this.#onDisconnect(reason));
    socket.on('connect_error', (err) => void this.#onConnectError(err));
    socket.on('attempt:clock', (c) => this.clock.onClock(c));
    socket.on('attempt:ended', (p) => {
      if (p.attemptId === this.ctx.attemptId) this.#finish(p);
    });
    socket.on('attempt:message', (m) => {
      this.state.messages = [...this.state.messages, { id: ++this.#messageId, ...m }];
    });
    socket.on('attempt:graded', (p) => {
      if (p.attemptId !== this.ctx.attemptId) return;
      this.state.graded++;
      this.ctx.socket?.disconnect();
    });
    socket.on('attempt:moved', (p) => this.#onMoved(p.attemptId));
    socket.on('session:ended', () => {
      // The attempt cookie may still carry the socket; if not, the reconnect says so.
      this.#announce('Your sign-in session ended. Reconnecting with this attempt…');
    });
    socket.connect();
    return () => {
      this.answers.stop();
      clearTimeout(this.#announceTimer);
      clearTimeout(this.#hangUpTimer);
      socket.removeAllListeners();
      socket.disconnect();
      this.ctx.socket = null;
    };
  }

  /** Sends queued proctoring signals in order; what fails stays for the next try. */
  flushSignals(): Promise<void> {
    return this.#signals.flush();
  }

  submit(): Promise<void> {
    return submitAttempt(this.ctx, this.answers, (ack) =>
      this.#finish({ status: ack.status, reason: 'submitted', submittedAt: ack.submittedAt }),
    );
  }

  writeCache(snap?: AttemptSnapshot): void {
    this.#cache.write(this.state, this.clock.offsetMs(), snap);
  }

  async #onConnect(): Promise<void> {
    const socket = this.ctx.socket;
    if (!socket) return;
    const generation = ++this.ctx.generation;
    const s = this.state;
    // Over: the socket only stayed for the graded event, and a rejoin would count as presence.
    if (s.ending) {
      socket.disconnect();
      return;
    }
    s.connected = true;
    s.everConnected = true;
    this.#refreshedSession = false;
    const sentAt = performance.now();
    const reply = await request(socket, 'attempt:join', { attemptId: this.ctx.attemptId, deviceId: this.#deviceId });
    if (generation !== this.ctx.generation || !socket.connected) return;
    if (!reply.ok) {
      if (reply.error.code === 'not_found') {
        s.fatal =
          'This attempt is not open in this browser. Start your exam again with your email and access code, or sign in.';
        socket.disconnect();
      } else {
        // Rate limited or a hiccup on the server: join again shortly, on the same connection.
        setTimeout(() => {
          if (generation === this.ctx.generation && socket.connected) void this.#onConnect();
        }, 2000);
      }
      return;
    }
    const sample = { sentAt, receivedAt: performance.now(), serverTime: Date.parse(reply.data.clock.serverTime) };
    this.#applySnapshot(reply.data, sample);
    s.joined = true;
    this.answers.joined();
    if (isFinalStatus(reply.data.attempt.status)) {
      this.#finish({ status: reply.data.attempt.status, reason: reply.data.attempt.status });
      return;
    }
    this.answers.flush();
    void this.flushSignals();
    void this.clock.sync([sample]);
  }

  #onDisconnect(reason: string): void {
    const s = this.state;
    this.ctx.generation++;
    s.connected = false;
    s.joined = false;
    this.answers.dropped();
    // Anything socket.io buffered would be sent after reconnecting, behind the outbox's back.
    if (this.ctx.socket) this.ctx.socket.sendBuffer.length = 0;
    // The server closed it (restart, revoked session): socket.io does not retry that by itself.
    if (reason === 'io server disconnect' && !s.ending && !s.fatal) {
      setTimeout(() => this.ctx.socket?.connect(), 1000);
    }
  }

  async #onConnectError(err: Error): Promise<void> {
    const socket = this.ctx.socket;
    // Network trouble: socket.io keeps trying by itself.
    if (!socket || socket.active) return;
    // Refused by the server's handshake: an expired access cookie can be renewed once per connection.
    const mayRefresh = !this.#refreshedSession;
    if (err.message === 'unauthenticated') this.#refreshedSession = true;
    const outcome = await afterRefusedHandshake(socket, err, mayRefresh);
    if (outcome === 'reconnecting') return;
    if (outcome === 'signed-out') {
      this.state.fatal =
        'This browser is no longer signed in to this attempt. Sign in again, or start again with your email and access code: your saved answers are kept.';
      return;
    }
    setTimeout(() => this.ctx.socket?.connect(), 3000);
  }

  #loadCache(): void {
    const cached = this.#cache.read();
    if (!cached) return;
    const { snapshot: snap, offsetMs } = cached;
    const s = this.state;
    s.attempt = snap.attempt;
    s.questions = toExamQuestions(snap.questions);
    s.saved = snap.answers;
    s.clock = snap.clock;
    s.pauseReason = snap.clock.status === 'paused' ? (snap.clock.pauseReason ?? '') : '';
    s.fromCache = true;
    if (offsetMs !== null) this.clock.restoreOffset(offsetMs);
  }

  #applySnapshot(snap: AttemptSnapshot, sample: { sentAt: number; receivedAt: number; serverTime: number }): void {
    const s = this.state;
    s.attempt = snap.attempt;
    s.questions = toExamQuestions(snap.questions);
    s.saved = snap.answers;
    s.fromCache = false;
    this.ctx.outbox.observe(snap.lastSeq);
    this.ctx.outbox.prune(snap.answers);
    refreshPending(this.ctx);
    this.clock.applySnapshot(snap, sample);
    this.writeCache(snap);
  }

  /** Empties the live region first, so the same sentence twice is announced twice. */
  #announce(text: string): void {
    this.state.alertText = '';
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => (this.state.alertText = text), 100);
  }

  /** The server closes this socket next and this browser's attempt cookie no longer opens the attempt. */
  #onMoved(attemptId: string): void {
    const s = this.state;
    if (attemptId !== this.ctx.attemptId || s.movedAway) return;
    s.movedAway = true;
    const unsent = this.ctx.outbox.size;
    s.fatal =
      'Your exam moved to another device: it continues there with your saved answers and the same clock. This page can no longer save answers' +
      (unsent > 0
        ? ` (${unsent === 1 ? '1 answer' : `${unsent} answers`} made here had not reached the server; enter ${unsent === 1 ? 'it' : 'them'} again on the other device).`
        : '.') +
      ' If you did not ask for this, tell your proctor now.';
    this.ctx.socket?.disconnect();
  }

  #finish(p: End): void {
    const s = this.state;
    if (s.ending) {
      if (p.submittedAt) s.ending = { ...s.ending, submittedAt: p.submittedAt };
      return;
    }
    const unsent = forgetAttempt(this.ctx.attemptId, this.ctx.store);
    s.ending = { status: p.status, reason: p.reason, submittedAt: p.submittedAt ?? null, unsent };
    refreshPending(this.ctx);
    // Stay a little for the graded event (grading takes seconds); the result page asks by itself too.
    const gradable = p.status === 'submitted' || p.status === 'expired';
    clearTimeout(this.#hangUpTimer);
    this.#hangUpTimer = setTimeout(() => this.ctx.socket?.disconnect(), gradable ? 2 * 60_000 : 0);
  }
}
