import { describe, expect, it } from 'vitest';
import { NO_ANSWER, request, unanswered, type AppSocket } from '../../src/lib/socket-request.ts';

type Listener = (...args: unknown[]) => void;

/** Records what was emitted; `answer` acknowledges the last event. */
function fakeSocket(connected = true) {
  const listeners = new Set<Listener>();
  const emitted: unknown[][] = [];
  const socket = {
    connected,
    emit: (...args: unknown[]) => emitted.push(args),
    on: (_: string, fn: Listener) => listeners.add(fn),
    off: (_: string, fn: Listener) => listeners.delete(fn),
  };
  return {
    socket: socket as unknown as AppSocket,
    emitted,
    listeners,
    answer: (reply: unknown) => (emitted.at(-1)!.at(-1) as Listener)(reply),
    drop: () => [...listeners].forEach((fn) => fn('transport close')),
  };
}

describe('request over the socket', () => {
  it('sends the payload (none for events without one) and answers the acknowledgement', async () => {
    const f = fakeSocket();
    const sync = request(f.socket, 'time:sync');
    expect(f.emitted[0]).toEqual(['time:sync', expect.any(Function)]);
    f.answer({ ok: true, data: { serverTime: '2026-01-01T00:00:00.000Z' } });
    expect(await sync).toEqual({ ok: true, data: { serverTime: '2026-01-01T00:00:00.000Z' } });

    const watch = request(f.socket, 'attendance:watch', { meetingId: 'm1' });
    expect(f.emitted[1]).toEqual(['attendance:watch', { meetingId: 'm1' }, expect.any(Function)]);
    f.answer({ ok: false, error: { code: 'forbidden', message: 'No.' } });
    const refused = await watch;
    expect(refused).toEqual({ ok: false, error: { code: 'forbidden', message: 'No.' } });
    expect(unanswered(refused)).toBe(false);
    expect(f.listeners.size).toBe(0);
  });

  it('never sends while disconnected, and answers for itself on a drop or a timeout', async () => {
    const offline = fakeSocket(false);
    const notSent = await request(offline.socket, 'time:sync');
    expect(offline.emitted).toEqual([]);
    expect(notSent.ok || notSent.error.code).toBe(NO_ANSWER.disconnected);

    const f = fakeSocket();
    const lost = request(f.socket, 'attempt:submit', { attemptId: 'a' });
    f.drop();
    expect(unanswered(await lost)).toBe(true);

    const slow = await request(f.socket, 'time:sync', { timeoutMs: 10 });
    expect(slow.ok || slow.error.code).toBe(NO_ANSWER.timeout);
    expect(f.listeners.size).toBe(0);
  });
});
