// The exam page's clock: server time from the best measured offset (clock.ts), the
// server's clock (deadline, pause) as last received, the time warnings, and what a
// clock change says to the student (extension, pause, resume, downtime credit).
import type { AttemptSnapshot, Clock } from '@exam-hall/protocol';
import { ACCOMMODATION_CLOCK_REASON, RESYNC_CLOCK_REASON, accommodationChangeMessage } from '@exam-hall/protocol';
import {
  addedSeconds,
  bestAnchor,
  describeSeconds,
  dueWarning,
  serverNow,
  type ClockAnchor,
  type SyncSample,
  type Warning,
} from '../clock.ts';
import { request } from '../socket-request.ts';
import { remainingOf, type ExamContext, type InitialAttempt } from './state.ts';

const SYNC_SAMPLES = 5;

export class Timekeeper {
  readonly #ctx: ExamContext;
  #anchor: ClockAnchor | null = null;
  // Bookkeeping, not state: the page reads `warning`.
  #warned = new Set<Warning>();
  /** Server time of the clock on screen; older clocks arriving late are ignored. */
  #clockAt = 0;
  /** Called after the clock moved (to save the cache). */
  onchange: () => void = () => {};
  /** Called when the proctor resumed the attempt (waiting saves can go). */
  onresume: () => void = () => {};

  constructor(ctx: ExamContext) {
    this.#ctx = ctx;
  }

  /** Server time minus device time, for this device's copy of the exam (null before any measurement). */
  offsetMs(): number | null {
    return this.#anchor ? serverNow(this.#anchor, performance.now()) - Date.now() : null;
  }

  /** From this device's copy: the best guess until the server answers (any measurement beats it). */
  restoreOffset(offsetMs: number): void {
    this.#anchor = { server: Date.now() + offsetMs, local: performance.now(), rtt: Number.MAX_SAFE_INTEGER };
  }

  /** The attempt as the page's load read it over HTTP, before the socket joined. */
  applyInitial(initial: InitialAttempt): void {
    const s = this.#ctx.state;
    this.#anchor = bestAnchor([
      { sentAt: initial.sentAt, receivedAt: initial.receivedAt, serverTime: Date.parse(initial.serverTime) },
    ]);
    const a = initial.attempt;
    // A paused attempt's frozen time needs pausedAt, which only the hall sends: wait for the join.
    if (a.status === 'paused') s.clock = s.clock?.status === 'paused' ? s.clock : null;
    else s.clock = { status: a.status, deadlineAt: a.deadlineAt, pausedAt: null };
  }

  /** The join's snapshot, measured by `sample`. */
  applySnapshot(snap: AttemptSnapshot, sample: SyncSample): void {
    const s = this.#ctx.state;
    const before = s.clock;
    this.#anchor = bestAnchor([sample]);
    // A pause or extension can reach this page before the join's answer does (the
    // socket is in the room while the snapshot is built); the newer clock wins.
    if (this.#take(snap.clock)) {
      s.clock = snap.clock;
      s.pauseReason = snap.clock.status === 'paused' ? (snap.clock.pauseReason ?? '') : '';
    }
    // An extension or downtime credit while this page was away: say so.
    const moved = addedSeconds(before, snap.clock);
    if (before?.status === 'in_progress' && snap.clock.status === 'in_progress' && moved > 0) {
      this.#says(`${describeSeconds(moved)} were added to your time while you were disconnected.`);
    }
    this.tick();
  }

  /** Measures the offset again over `time:sync`; only this connection's samples count. */
  async sync(samples: SyncSample[]): Promise<void> {
    const socket = this.#ctx.socket;
    if (!socket) return;
    const generation = this.#ctx.generation;
    const fresh = [...samples];
    for (let i = 0; i < SYNC_SAMPLES; i++) {
      const sentAt = performance.now();
      const reply = await request(socket, 'time:sync', { timeoutMs: 5000 });
      if (!reply.ok || generation !== this.#ctx.generation) break;
      fresh.push({ sentAt, receivedAt: performance.now(), serverTime: Date.parse(reply.data.serverTime) });
    }
    // Only this connection's samples: an old anchor may predate a device sleep.
    const anchor = bestAnchor(fresh);
    if (anchor && generation === this.#ctx.generation) {
      this.#anchor = anchor;
      this.tick();
      this.onchange();
    }
  }

  tick(): void {
    const s = this.#ctx.state;
    s.now = this.#anchor ? serverNow(this.#anchor, performance.now()) : Date.now();
    const left = remainingOf(s);
    if (s.clock?.status !== 'in_progress' || left === null || left === 0 || s.ending) return;
    const due = dueWarning(left, this.#warned);
    if (due) {
      s.warning = due;
      this.#ctx.announce(due === 5 ? 'Less than 5 minutes left.' : 'Less than 1 minute left.');
    } else if (s.warning !== null && left > s.warning * 60_000) {
      s.warning = null;
    }
  }

  #take(c: Clock): boolean {
    const at = Date.parse(c.serverTime);
    if (at < this.#clockAt) return false;
    this.#clockAt = at;
    return true;
  }

  #extended(moved: number): void {
    this.#says(
      moved < 0
        ? `Your proctor took ${describeSeconds(-moved)} from your time.`
        : `Your time was extended by ${describeSeconds(moved)}.`,
    );
  }

  #paused(reason: string): void {
    const s = this.#ctx.state;
    // The page shows the pause as long as it lasts; an older notice would only distract.
    s.clockNotice = '';
    s.pauseReason = reason;
    this.#ctx.announce(
      `Paused by the proctor.${reason ? ` Reason: ${reason}.` : ''} The clock is stopped and your answers are kept.`,
    );
  }

  #resumed(): void {
    const s = this.#ctx.state;
    s.pauseReason = '';
    s.saveProblem = '';
    this.#says('The proctor resumed your exam. The clock is running again.');
    this.onresume();
  }

  #says(text: string): void {
    this.#ctx.state.clockNotice = text;
    this.#ctx.announce(text);
  }

  /** 'attempt:clock': the proctor or the server changed the clock. */
  onClock(c: Clock): void {
    const s = this.#ctx.state;
    if (c.attemptId !== this.#ctx.attemptId || !this.#take(c)) return;
    const before = s.clock;
    s.clock = c;
    // The server says how far the deadline moved; a page that missed the previous clock cannot work it out.
    const moved = c.deltaSeconds ?? addedSeconds(before, c);
    switch (c.reason) {
      case 'extended':
        this.#extended(moved);
        break;
      case ACCOMMODATION_CLOCK_REASON:
        // The teacher changed this student's extra time; the server says by how much.
        this.#says(accommodationChangeMessage(c.accommodation ?? { extraTimeMinutes: 0, extraTimePercent: 0 }, moved));
        break;
      case 'disconnect_credit':
        this.#says(`${describeSeconds(Math.max(0, moved))} were added for the time you were disconnected.`);
        break;
      case 'paused':
        this.#paused(c.pauseReason ?? '');
        break;
      case 'resumed':
        this.#resumed();
        break;
      case RESYNC_CLOCK_REASON:
        // The server read the clock again after its Redis came back: the change it shows was
        // made meanwhile and its own push was lost, so the page works out what it was.
        if (before?.status === 'paused' && c.status === 'in_progress') this.#resumed();
        else if (before?.status !== 'paused' && c.status === 'paused') this.#paused(c.pauseReason ?? '');
        else if (before?.status === 'in_progress' && c.status === 'in_progress' && moved !== 0) this.#extended(moved);
        break;
    }
    this.tick();
    this.onchange();
  }
}
