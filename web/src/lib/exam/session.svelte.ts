// One student's attempt in the live hall, as the exam page sees it: the state of
// core.ts made reactive, on a socket from the app's one socket factory (injected, so
// the logic runs without a server in the unit tests), plus what only a browser tells:
// the network coming and going, another tab writing, the page becoming visible.
import { mergeAnswers } from './outbox.ts';
import { isAnswered } from './questions.ts';
import { openAppSocket } from '../live-socket.svelte.ts';
import type { AppSocket } from '../socket-request.ts';
import { ExamCore } from './core.ts';
import {
  canAnswer,
  createExamState,
  isPaused,
  isTimeUp,
  linkOf,
  refreshPending,
  remainingOf,
  type InitialAttempt,
} from './state.ts';
import { browserStore, type SafeStore } from './storage.ts';

const RESYNC_MS = 5 * 60_000;

export class ExamSession {
  readonly attemptId: string;
  #s = $state(createExamState());
  readonly #core: ExamCore;
  readonly #openSocket: () => AppSocket;

  answers = $derived(mergeAnswers(this.#s.saved, this.#s.pending));
  answeredCount = $derived([...this.answers.values()].filter((a) => isAnswered(a.response)).length);
  remaining = $derived(remainingOf(this.#s));
  link = $derived(linkOf(this.#s));
  paused = $derived(isPaused(this.#s));
  timeUp = $derived(isTimeUp(this.#s));
  canAnswer = $derived(canAnswer(this.#s));

  constructor(
    attemptId: string,
    initial: InitialAttempt | null,
    store: SafeStore = browserStore(),
    openSocket: () => AppSocket = openAppSocket,
  ) {
    this.attemptId = attemptId;
    this.#openSocket = openSocket;
    this.#core = new ExamCore(attemptId, this.#s, initial, store);
  }

  get signals() {
    return this.#core.ctx.signals;
  }
  /** The exam's socket while it is connected and joined to the attempt, else null (not reactive). */
  get joinedSocket(): AppSocket | null {
    const { socket, state } = this.#core.ctx;
    return socket?.connected && state.joined ? socket : null;
  }
  get attempt() {
    return this.#s.attempt;
  }
  get questions() {
    return this.#s.questions;
  }
  get pending() {
    return this.#s.pending;
  }
  get fatal() {
    return this.#s.fatal;
  }
  get movedAway() {
    return this.#s.movedAway;
  }
  get warning() {
    return this.#s.warning;
  }
  get alertText() {
    return this.#s.alertText;
  }
  get clockNotice() {
    return this.#s.clockNotice;
  }
  get pauseReason() {
    return this.#s.pauseReason;
  }
  get saveProblem() {
    return this.#s.saveProblem;
  }
  get messages() {
    return this.#s.messages;
  }
  get ending() {
    return this.#s.ending;
  }
  get submitStage() {
    return this.#s.submitStage;
  }
  get submitProblem() {
    return this.#s.submitProblem;
  }
  get graded() {
    return this.#s.graded;
  }
  get persistent() {
    return this.#s.persistent;
  }
  get fromCache() {
    return this.#s.fromCache;
  }

  /** Records a new answer (null clears it); the flag stays as it was. */
  answer(questionId: string, response: unknown): void {
    this.#core.answers.answer(questionId, response);
  }

  flag(questionId: string, flagged: boolean): void {
    this.#core.answers.flag(questionId, flagged);
  }

  /** The question now shown to the student (undefined while none is): its time runs while the page is visible. */
  viewing(questionId: string | undefined): void {
    this.#core.answers.time.show(questionId);
  }

  /** Sends queued proctoring signals in order; what fails stays for the next try. */
  flushSignals(): void {
    void this.#core.flushSignals();
  }

  /** Waits for the outbox to drain, then submits. */
  submit(): Promise<void> {
    return this.#core.submit();
  }

  /** Opens the socket and starts the clock; answers the stop function (for $effect). */
  start(): () => void {
    const s = this.#s;
    s.browserOnline = navigator.onLine;
    const socket = this.#openSocket();
    const detach = this.#core.attach(socket);
    const tick = setInterval(() => this.#core.clock.tick(), 1000);
    const resync = setInterval(() => void this.#core.clock.sync([]), RESYNC_MS);
    const online = () => {
      s.browserOnline = true;
      // Do not wait for socket.io's back-off: the network is back now.
      if (!socket.connected && !s.ending && !s.fatal) socket.connect();
    };
    const offline = () => (s.browserOnline = false);
    const storage = (e: StorageEvent) => {
      if (e.key?.endsWith(this.attemptId)) refreshPending(this.#core.ctx);
    };
    this.#core.answers.time.visible(document.visibilityState === 'visible');
    const visible = () => {
      this.#core.answers.time.visible(document.visibilityState === 'visible');
      // A sleeping device may have stopped the monotonic clock: measure again.
      if (document.visibilityState === 'visible' && s.joined) void this.#core.clock.sync([]);
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    window.addEventListener('storage', storage);
    document.addEventListener('visibilitychange', visible);

    return () => {
      clearInterval(tick);
      clearInterval(resync);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      window.removeEventListener('storage', storage);
      document.removeEventListener('visibilitychange', visible);
      detach();
    };
  }
}
