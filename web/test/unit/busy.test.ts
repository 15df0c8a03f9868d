import { describe, expect, it } from 'vitest';
import { ApiRequestError, errorFromBody } from '../../src/lib/api.ts';
import { BUSY_TRIES, busyMessage, busySeconds, whileBusy, type BusyWait } from '../../src/lib/busy.ts';

/** The body and header the server sends when the database is away for a moment (server/src/db/unavailable.ts). */
const unavailable = (retryAfter: string | null = '5') =>
  errorFromBody(
    503,
    'Service Unavailable',
    {
      error: {
        code: 'unavailable',
        message: 'The database is unavailable for a moment. Try again in a few seconds.',
        requestId: 'r1',
      },
    },
    retryAfter,
  );

/** A call that fails with the given errors, in order, then answers. */
function scripted(failures: unknown[], answer = 'in') {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      calls += 1;
      const next = failures.shift();
      if (next) throw next;
      return answer;
    },
  };
}

function recorder() {
  const waits: (BusyWait | null)[] = [];
  const slept: number[] = [];
  return {
    waits,
    slept,
    options: {
      onWait: (w: BusyWait | null) => waits.push(w),
      sleep: async (ms: number) => void slept.push(ms),
    },
  };
}

describe('asking again while the server is busy', () => {
  it('asks again after the seconds Retry-After gives, plus up to half again, and returns the answer', async () => {
    const call = scripted([unavailable('5'), unavailable('2')]);
    const r = recorder();
    const randoms = [0, 0.999];
    await expect(whileBusy(call.run, { ...r.options, random: () => randoms.shift()! })).resolves.toBe('in');
    expect(call.calls).toBe(3);
    expect(r.slept).toEqual([5000, 2999]);
    expect(r.waits).toEqual([
      { seconds: 5, next: 2, of: BUSY_TRIES },
      null,
      { seconds: 3, next: 3, of: BUSY_TRIES },
      null,
    ]);
  });

  it('gives the last busy refusal to the caller after the last try', async () => {
    const call = scripted(Array.from({ length: 10 }, () => unavailable('1')));
    const r = recorder();
    const err = await whileBusy(call.run, { ...r.options, tries: 3, random: () => 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).status).toBe(503);
    expect(call.calls).toBe(3);
    expect(r.slept).toEqual([1000, 1000]);
  });

  it('never asks again after a refusal that is not busy: a wrong code, a rate limit, a 503 without Retry-After, a lost connection', async () => {
    const refusals = [
      new ApiRequestError({ status: 401, code: 'invalid_code', message: 'no' }),
      new ApiRequestError({ status: 429, code: 'rate_limited', message: 'wait', retryAfterSeconds: 60 }),
      unavailable(null),
      new ApiRequestError({ status: 0, code: 'network_error', message: 'offline' }),
      new Error('a bug'),
    ];
    for (const refusal of refusals) {
      const call = scripted([refusal]);
      const r = recorder();
      await expect(whileBusy(call.run, r.options)).rejects.toBe(refusal);
      expect(call.calls).toBe(1);
      expect(r.waits).toEqual([]);
    }
  });

  it('stops asking once the page that asked is gone', async () => {
    const call = scripted([unavailable('1'), unavailable('1')]);
    const left = new AbortController();
    const r = recorder();
    const err = await whileBusy(call.run, {
      ...r.options,
      signal: left.signal,
      sleep: async () => left.abort(),
    }).catch((e: unknown) => e);
    expect((err as ApiRequestError).status).toBe(503);
    expect(call.calls).toBe(1);
  });

  it('holds a wait between 1 and 30 seconds, whatever Retry-After says', () => {
    expect(busySeconds(unavailable('0'))).toBe(1);
    expect(busySeconds(unavailable('3600'))).toBe(30);
    expect(busySeconds(unavailable(new Date(Date.now() + 7_000).toUTCString()))).toBeGreaterThanOrEqual(6);
    expect(busySeconds(new Error('x'))).toBeUndefined();
  });

  it('says the wait in words', () => {
    expect(busyMessage({ seconds: 6, next: 2, of: 6 })).toBe(
      'Exam Hall is busy for a moment. Trying again in 6 seconds (try 2 of 6)…',
    );
    expect(busyMessage({ seconds: 1, next: 3, of: 6 })).toContain('in 1 second (');
  });
});
