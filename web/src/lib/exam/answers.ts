// Answers on their way: a change goes into the outbox (outbox.ts) and out over the
// socket, oldest first, one save per question at a time; the acknowledgement settles
// it. What the server could not take now is kept and sent again (see saveFailure).
import type { AckReply, ClientAck } from '@exam-hall/protocol';
import { request, type AppSocket } from '../socket-request.ts';
import { mergeAnswers, nextRetryMs, retryJitter, saveFailure, type OutboxEntry } from './outbox.ts';
import { isAnswered } from './questions.ts';
import { canAnswer, isPaused, refreshPending, type ExamContext } from './state.ts';
import { TimeOnQuestions } from './time-spent.ts';

/** Saves on the wire at once; the server allows bursts of 60 messages per socket. */
const MAX_IN_FLIGHT = 8;

export class AnswerSender {
  readonly #ctx: ExamContext;
  // Bookkeeping, not state: the page reads the outbox (`pending`).
  #inFlight = new Map<string, number>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = 1000;
  /** Called after the server's answers changed (to save the cache). */
  onsaved: () => void = () => {};
  /** Called with every retry after a back-off (the queued signals go again too). */
  onretry: () => void = () => {};
  /** Seconds on each question; every save carries its question's share. */
  readonly time = new TimeOnQuestions();

  constructor(ctx: ExamContext) {
    this.#ctx = ctx;
  }

  /** Saves on the wire now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Records a new answer (null clears it); the flag stays as it was. */
  answer(questionId: string, response: unknown): void {
    const flagged = this.#shown(questionId)?.flagged ?? false;
    this.#put(questionId, isAnswered(response) ? response : null, flagged);
  }

  flag(questionId: string, flagged: boolean): void {
    const response = this.#shown(questionId)?.response ?? null;
    this.#put(questionId, response, flagged);
  }

  #shown(questionId: string) {
    return mergeAnswers(this.#ctx.state.saved, this.#ctx.state.pending).get(questionId);
  }

  #put(questionId: string, response: unknown, flagged: boolean): void {
    if (!canAnswer(this.#ctx.state)) return;
    // A save this one replaces before it went out never reaches the server: its seconds move here.
    const waiting = this.#ctx.outbox.get(questionId);
    const carried = waiting && this.#inFlight.get(questionId) !== waiting.seq ? (waiting.timeSpentSeconds ?? 0) : 0;
    const seconds = Math.min(86_400, carried + this.time.take(questionId));
    this.#ctx.outbox.put(questionId, response, flagged, seconds);
    refreshPending(this.#ctx);
    this.flush();
  }

  /** Sends what waits in the outbox, oldest first, one save per question at a time. */
  flush(): void {
    const { socket, state } = this.#ctx;
    if (!socket?.connected || !state.joined || state.ending || isPaused(state)) return;
    for (const entry of this.#ctx.outbox.entries()) {
      if (this.#inFlight.size >= MAX_IN_FLIGHT) break;
      if (this.#inFlight.has(entry.questionId)) continue;
      void this.#send(socket, entry);
    }
  }

  async #send(socket: AppSocket, entry: OutboxEntry): Promise<void> {
    this.#inFlight.set(entry.questionId, entry.seq);
    const { seq, questionId, response, flagged, timeSpentSeconds = 0 } = entry;
    const reply = await request(socket, 'answer:save', {
      attemptId: this.#ctx.attemptId,
      seq,
      questionId,
      response,
      flagged,
      timeSpentSeconds,
    });
    if (this.#inFlight.get(entry.questionId) === entry.seq) this.#inFlight.delete(entry.questionId);
    this.#settle(entry, reply);
  }

  #settle(entry: OutboxEntry, reply: AckReply<ClientAck<'answer:save'>>): void {
    const { state, outbox } = this.#ctx;
    if (reply.ok) {
      // Applied or not, the server now holds this save or a newer one.
      const known = state.saved.find((s) => s.questionId === entry.questionId);
      if (!known || known.seq < entry.seq) {
        const { questionId, response, flagged, seq } = entry;
        state.saved = [
          ...state.saved.filter((s) => s.questionId !== questionId),
          { questionId, response, flagged, seq },
        ];
      }
      outbox.settle(entry.questionId, entry.seq);
      state.saveProblem = '';
      this.#retryMs = 1000;
      refreshPending(this.#ctx);
      this.onsaved();
      this.flush();
      return;
    }
    switch (saveFailure(reply.error.code)) {
      case 'hold':
        state.saveProblem = reply.error.message;
        return;
      case 'drop': {
        outbox.settle(entry.questionId, entry.seq);
        refreshPending(this.#ctx);
        const n = state.questions.findIndex((q) => q.id === entry.questionId) + 1;
        state.saveProblem = `Your answer to question ${n} could not be saved: ${reply.error.message} Please answer it again.`;
        this.flush();
        return;
      }
      case 'replay':
        return;
      case 'retry':
        // Kept in the outbox (a database restart answers `unavailable`): sent again after a back-off.
        this.retrySoon();
    }
  }

  /** Sends again after a growing, jittered back-off (once, however many failures asked). */
  retrySoon(): void {
    if (this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.flush();
      this.onretry();
    }, retryJitter(this.#retryMs));
    this.#retryMs = nextRetryMs(this.#retryMs);
  }

  /** Joined: the back-off starts small again. */
  joined(): void {
    this.#retryMs = 1000;
  }

  /** The connection dropped: nothing is on the wire any more (the outbox replays it all). */
  dropped(): void {
    this.#inFlight.clear();
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
  }
}
