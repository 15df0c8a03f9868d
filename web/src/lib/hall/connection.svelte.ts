// The proctor's socket (see live-socket.svelte.ts). On every (re)connect it asks for a
// fresh snapshot (`hall:watch`), which also puts it in the exam's proctor room; in
// between it applies the stream.
import type {
  AttemptNoteReply,
  AttemptNoteSave,
  ClientAck,
  ClientEvent,
  HallAction,
  HallBulk,
  HallBulkReply,
  HallProgressItem,
  HallRow,
  ProctoringEventDto,
  ReviewAlerts,
  RiskBreakdown,
  AlertReviewStatus,
} from '@exam-hall/protocol';
import { LiveSocket } from '../live-socket.svelte.ts';
import { request, unanswered, type RequestArgs } from '../socket-request.ts';
import type { HallState } from './hall-state.svelte.ts';

export type { LinkState } from '../live-socket.svelte.ts';

export class HallCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HallCallError';
    this.code = code;
  }
}

const FLUSH_MS = 200;

export class HallConnection extends LiveSocket {
  readonly #examId: string;
  readonly #hall: HallState;
  /** Stream events that arrive while a snapshot is on its way; applied on top of it. */
  #buffer: (() => void)[] | null = null;
  /** Row updates waiting to be drawn, latest per participant: a burst is drawn once. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a queue, not state anything renders
  #rows = new Map<string, HallRow>();
  /** Answered counts waiting to be drawn with the rows, latest per participant. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a queue, not state anything renders
  #progress = new Map<string, HallProgressItem>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Told about each alert that is new to this page (for the announcement). */
  onalert: ((event: ProctoringEventDto) => void) | undefined;
  onreviewed: ((event: ProctoringEventDto) => void) | undefined;

  constructor(examId: string, hall: HallState) {
    super({
      sessionEnded: 'You were signed out. Sign in again to keep watching the hall.',
      signedOut: 'Your session has ended. Sign in again to watch the hall.',
      unreachable: 'Cannot reach the server. Retrying…',
    });
    this.#examId = examId;
    this.#hall = hall;
    this.#wire();
  }

  protected override onStop() {
    clearTimeout(this.#flushTimer);
  }

  #queueRow(row: HallRow) {
    this.#rows.set(row.participantId, row);
    // The row is newer than any count queued before it.
    this.#progress.delete(row.participantId);
    this.#scheduleFlush();
  }

  #queueProgress(item: HallProgressItem) {
    const queued = this.#rows.get(item.participantId);
    // A queued row is older than this count: it goes out with the count in it.
    if (queued?.attemptId === item.attemptId)
      this.#rows.set(item.participantId, { ...queued, answered: item.answered });
    else this.#progress.set(item.participantId, item);
    this.#scheduleFlush();
  }

  #scheduleFlush() {
    // Five redraws a second at most: 500 students saving answers would otherwise
    // redraw the roster at every frame, for changes nobody can read that fast.
    this.#flushTimer ??= setTimeout(() => this.#flushRows(), FLUSH_MS);
  }

  #flushRows() {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const rows = [...this.#rows.values()];
    const progress = [...this.#progress.values()];
    this.#rows.clear();
    this.#progress.clear();
    if (rows.length) this.#hall.applyRows(rows);
    if (progress.length) this.#hall.applyProgress(progress);
  }

  #stream(apply: () => void) {
    if (this.#buffer) this.#buffer.push(apply);
    else apply();
  }

  #wire() {
    const s = this.socket;
    s.on('hall:row', (row) => this.#stream(() => this.#queueRow(row)));
    s.on('hall:rows', (rows) => this.#stream(() => rows.forEach((row) => this.#queueRow(row))));
    s.on('hall:progress', (items) => this.#stream(() => items.forEach((item) => this.#queueProgress(item))));
    s.on('hall:alert', ({ event, risk }) =>
      this.#stream(() => {
        if (this.#hall.addAlert(event, risk)) this.onalert?.(event);
      }),
    );
    s.on('hall:camera', (camera) => this.#stream(() => this.#hall.setCamera(camera)));
    s.on('hall:alert-reviewed', ({ event }) =>
      this.#stream(() => {
        this.#hall.reviewed(event);
        this.onreviewed?.(event);
      }),
    );
  }

  protected async onConnect() {
    this.#buffer = [];
    const sentAt = performance.now();
    try {
      const snapshot = await this.#call('hall:watch', { examId: this.#examId });
      // Rows queued before this snapshot was asked for are older than it.
      this.#rows.clear();
      this.#progress.clear();
      this.#hall.load(snapshot, sentAt);
      for (const apply of this.#buffer) apply();
      this.live();
    } catch (err) {
      const e = err as HallCallError;
      if (e.code === 'timeout') this.reconnect();
      else this.fail(e.message);
    } finally {
      this.#buffer = null;
    }
  }

  /** One request with an acknowledgement; rejects with the server's message or a timeout. */
  async #call<E extends ClientEvent>(event: E, ...args: RequestArgs<E>): Promise<ClientAck<E>> {
    // Sent while offline, socket.io would queue it and deliver it late: an extension
    // the proctor already retried would land twice.
    if (!this.socket.connected) {
      throw new HallCallError(
        'offline',
        'Not connected to the server, so nothing was sent. Try again when the hall is live.',
      );
    }
    const reply = await request(this.socket, event, ...args);
    if (reply.ok) return reply.data;
    // No answer (in time, or before the connection dropped): the action may have been done all the same.
    if (unanswered(reply)) {
      throw new HallCallError(
        'timeout',
        'The server did not answer in time. Check the hall before trying again: it may have been done.',
      );
    }
    throw new HallCallError(reply.error.code, reply.error.message);
  }

  act(action: HallAction): Promise<HallRow> {
    return this.#call('hall:action', action).then((d) => {
      this.#queueRow(d.row);
      this.#flushRows();
      return d.row;
    });
  }

  review(eventId: string, status: AlertReviewStatus): Promise<ProctoringEventDto> {
    return this.#call('alert:review', { eventId, status }).then((d) => {
      this.#hall.reviewed(d.event);
      return d.event;
    });
  }

  /** Message, pause or resume everyone in the exam; answers how many attempts it reached. */
  bulk(input: HallBulk): Promise<HallBulkReply> {
    return this.#call('hall:bulk', input);
  }

  reviewMany(eventIds: string[], status: ReviewAlerts['status']): Promise<ProctoringEventDto[]> {
    return this.#call('alert:review-many', { eventIds, status }).then((d) => {
      for (const e of d.events) this.#hall.reviewed(e);
      return d.events;
    });
  }

  /** The proctors' private note about an attempt (never shown to the student). */
  note(attemptId: string): Promise<AttemptNoteReply> {
    return this.#call('hall:note', { attemptId });
  }

  /** Saves the note; an empty body deletes it. Refused (conflict) if another proctor saved since `baseUpdatedAt`. */
  saveNote(input: AttemptNoteSave): Promise<AttemptNoteReply> {
    return this.#call('hall:note-save', input);
  }

  risk(attemptId: string): Promise<RiskBreakdown> {
    return this.#call('hall:risk', { attemptId }).then((r) => {
      this.#hall.setRisk(attemptId, r);
      return r;
    });
  }
}
