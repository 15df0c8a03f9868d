// A request's log line level: an outage of minutes answered with retryable 503s must not
// bury the real faults under thousands of error lines with made-up stacks.
import { describe, expect, it } from 'vitest';
import { requestLogLevel } from '../../src/http/app.ts';

describe('request log level', () => {
  it('logs a deliberate 503 (nothing thrown, Retry-After given) as a warning', () => {
    expect(requestLogLevel(503, undefined)).toBe('warn');
  });

  it('keeps every other 5xx, and any request that threw, an error', () => {
    expect(requestLogLevel(500, undefined)).toBe('error');
    expect(requestLogLevel(502, undefined)).toBe('error');
    expect(requestLogLevel(503, new Error('socket hang up'))).toBe('error');
    expect(requestLogLevel(200, new Error('aborted'))).toBe('error');
  });

  it('logs client errors as warnings and the rest as info', () => {
    expect(requestLogLevel(404, undefined)).toBe('warn');
    expect(requestLogLevel(429, undefined)).toBe('warn');
    expect(requestLogLevel(201, undefined)).toBe('info');
  });
});
