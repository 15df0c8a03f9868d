// The attendance dashboard's socket (see live-socket.svelte.ts). On every (re)connect
// it asks to watch the meeting and then refetches (events missed while away are in
// the fresh answer); in between, each 'attendance:changed' schedules one refetch, so a
// burst of joins costs one request.
import { LiveSocket } from '../live-socket.svelte.ts';
import { request, unanswered } from '../socket-request.ts';

export type { LinkState } from '../live-socket.svelte.ts';

export const DEBOUNCE_MS = 300;

export class AttendanceConnection extends LiveSocket {
  readonly #meetingId: string;
  readonly #onchange: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `onchange` is called (debounced) whenever the dashboard should be fetched again. */
  constructor(meetingId: string, onchange: () => void) {
    super({
      sessionEnded: 'You were signed out. Sign in again to keep the attendance live.',
      signedOut: 'Your session has ended. Sign in again to keep the attendance live.',
      unreachable: 'Cannot reach the server for live updates. Retrying…',
    });
    this.#meetingId = meetingId;
    this.#onchange = onchange;
    this.socket.on('attendance:changed', ({ meetingId: changed }) => {
      if (changed === this.#meetingId) this.#changedSoon();
    });
  }

  protected override onStop() {
    clearTimeout(this.#timer);
  }

  #changedSoon() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onchange(), DEBOUNCE_MS);
  }

  protected async onConnect() {
    const reply = await request(this.socket, 'attendance:watch', { meetingId: this.#meetingId });
    if (unanswered(reply)) return this.reconnect();
    if (!reply.ok) return this.fail(reply.error.message);
    this.live();
    this.#changedSoon();
  }
}
