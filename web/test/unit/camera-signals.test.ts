// Camera alerts travel in the exam's signal queue (web/src/lib/exam/signals.ts): they keep
// their confidence, measure and duration across a reload, go out with them, and the
// server's acknowledgement (eventId, wantsEvidence) reaches whoever listens for it, once.
import { describe, expect, it } from 'vitest';
import type { AckReply } from '@exam-hall/protocol';
import { SignalQueue, SignalSender, type QueuedSignal } from '../../src/lib/exam/signals.ts';
import { createExamState, type ExamContext } from '../../src/lib/exam/state.ts';
import type { KeyValueStore } from '../../src/lib/exam/storage.ts';
import type { AppSocket } from '../../src/lib/socket-request.ts';

const A = '6f1e2d3c-0000-4000-8000-000000000001';
const EVENT = '6f1e2d3c-0000-4000-8000-0000000000e1';

class MapStorage implements KeyValueStore {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

/** Answers every proctor:signal with `reply`; records what was sent. */
function fakeSocket(reply: () => AckReply<unknown>) {
  const sent: unknown[] = [];
  const socket = {
    connected: true,
    on: () => socket,
    off: () => socket,
    emit: (_event: string, payload: unknown, ack: (r: AckReply<unknown>) => void) => {
      sent.push(payload);
      queueMicrotask(() => ack(reply()));
      return socket;
    },
  };
  return { socket: socket as unknown as AppSocket, sent };
}

function setup(reply: () => AckReply<unknown>) {
  const store = new MapStorage();
  const signals = new SignalQueue(store, A);
  const state = createExamState();
  state.joined = true;
  const { socket, sent } = fakeSocket(reply);
  const ctx = { attemptId: A, state, signals, socket } as unknown as ExamContext;
  let retries = 0;
  const sender = new SignalSender(ctx, () => retries++);
  return { store, signals, sender, sent, retries: () => retries };
}

describe('camera signals in the queue', () => {
  it('keep confidence, measure and duration in storage (a reload reads them back), clamped', () => {
    const { store, signals } = setup(() => ({ ok: true, data: { stored: true } }));
    signals.add('multi_person', { confidence: 1.7, measure: { faces: 2 }, durationMs: -5 });
    const again = new SignalQueue(store, A).ready();
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ type: 'multi_person', confidence: 1, measure: { faces: 2 }, durationMs: 0 });
  });

  it('go out with them, and the acknowledgement reaches the listener once', async () => {
    const { signals, sender, sent } = setup(() => ({
      ok: true,
      data: { stored: true, eventId: EVENT, wantsEvidence: true },
    }));
    const acks: [QueuedSignal, unknown][] = [];
    const stop = signals.onStored((s, ack) => acks.push([s, ack]));
    const s = signals.add('no_face', { confidence: 0.8, measure: { faces: 0 }, durationMs: 2500 });
    signals.add('tab_hidden');
    await sender.flush();
    expect(sent).toEqual([
      {
        attemptId: A,
        type: 'no_face',
        clientEventId: s.clientEventId,
        durationMs: 2500,
        confidence: 0.8,
        measure: { faces: 0 },
      },
      { attemptId: A, type: 'tab_hidden', clientEventId: expect.any(String) },
    ]);
    expect(acks.map(([q, ack]) => [q.type, ack])).toEqual([
      ['no_face', { stored: true, eventId: EVENT, wantsEvidence: true }],
      ['tab_hidden', { stored: true, eventId: EVENT, wantsEvidence: true }],
    ]);
    expect(signals.ready()).toEqual([]);
    stop();
    signals.add('gaze_offscreen', { confidence: 0.5 });
    await sender.flush();
    expect(acks).toHaveLength(2);
  });

  it('a refused signal is dropped without an acknowledgement; an unanswered one stays for the next try', async () => {
    let reply: AckReply<unknown> = { ok: false, error: { code: 'validation_failed', message: 'bad' } };
    const { signals, sender, retries } = setup(() => reply);
    const acks: unknown[] = [];
    signals.onStored((_s, ack) => acks.push(ack));
    signals.add('face_mismatch', { confidence: 0.9, measure: { similarity: 0.3 } });
    await sender.flush();
    expect(signals.ready()).toEqual([]);
    reply = { ok: false, error: { code: 'timeout', message: 'late' } };
    signals.add('face_mismatch', { confidence: 0.9 });
    await sender.flush();
    expect(signals.ready()).toHaveLength(1);
    expect(retries()).toBe(1);
    expect(acks).toEqual([]);
  });

  it('a signal added while another is on its way goes out too, without another trigger', async () => {
    const { signals, sender, sent } = setup(() => ({ ok: true, data: { stored: true } }));
    signals.add('multi_person', { confidence: 1 });
    const first = sender.flush();
    const off = signals.add('camera_off', { confidence: 1 });
    void sender.flush();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(sent.map((p) => (p as { type: string }).type)).toEqual(['multi_person', 'camera_off']);
    expect(signals.ready().map((s) => s.clientEventId)).not.toContain(off.clientEventId);
  });
});
