import { describe, expect, it } from 'vitest';
import { arrivalOffsets, loopbackAddress, mergeCounts, parseScenarios, roundRobin } from '../bench/storm-plan.ts';

describe('start-storm plan', () => {
  it('parses scenario names into arrival and addresses, and refuses unknown ones', () => {
    expect(parseScenarios('spread, nat-burst')).toEqual([
      { name: 'spread', arrival: 'spread', addresses: 'many' },
      { name: 'nat-burst', arrival: 'burst', addresses: 'one' },
    ]);
    expect(() => parseScenarios('spread,storm')).toThrow(/unknown scenario 'storm'/);
    expect(() => parseScenarios(' , ')).toThrow(/no scenario/);
  });

  it('spreads arrivals evenly inside the window, or sends them all at once', () => {
    expect(arrivalOffsets(4, 'spread', 1000)).toEqual([0, 250, 500, 750]);
    expect(arrivalOffsets(3, 'burst', 1000)).toEqual([0, 0, 0]);
    expect(arrivalOffsets(0, 'spread', 1000)).toEqual([]);
    const many = arrivalOffsets(5000, 'spread', 10_000);
    expect(Math.max(...many)).toBeLessThan(10_000);
  });

  it('gives every student of a block its own loopback address, and blocks never overlap', () => {
    const a = Array.from({ length: 5000 }, (_, k) => loopbackAddress(10, k));
    expect(new Set(a).size).toBe(5000);
    expect(a.every((x) => /^127\.10\.\d{1,3}\.\d{1,3}$/.test(x))).toBe(true);
    expect(a.some((x) => x.endsWith('.0') || x.endsWith('.255'))).toBe(false);
    expect(loopbackAddress(10, 0)).toBe('127.10.0.1');
    expect(loopbackAddress(10, 254)).toBe('127.10.1.1');
    expect(loopbackAddress(11, 0)).not.toBe(loopbackAddress(10, 0));
    expect(() => loopbackAddress(0, 0)).toThrow();
    expect(() => loopbackAddress(10, 254 * 256)).toThrow();
  });

  it('splits round robin without losing or repeating anyone, and sums outcome counts', () => {
    const xs = Array.from({ length: 7 }, (_, i) => i);
    const parts = [0, 1, 2].map((p) => roundRobin(xs, 3, p));
    expect(parts).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(mergeCounts([{ ok: 2, 'claim:429': 1 }, { ok: 3 }])).toEqual({ ok: 5, 'claim:429': 1 });
  });
});
