// The draw a random section makes for one attempt: k distinct items, every item equally likely.
import { describe, expect, it } from 'vitest';
import { drawDistinct } from '../../src/modules/banks/draw.ts';

describe('drawDistinct', () => {
  it('draws k distinct items of the pool, or the whole pool when it is smaller', () => {
    const pool = Array.from({ length: 30 }, (_, i) => `q${i}`);
    for (let run = 0; run < 200; run++) {
      const drawn = drawDistinct(pool, 7);
      expect(drawn).toHaveLength(7);
      expect(new Set(drawn).size).toBe(7);
      expect(drawn.every((q) => pool.includes(q))).toBe(true);
    }
    expect(drawDistinct(pool.slice(0, 3), 7).sort()).toEqual(['q0', 'q1', 'q2']);
    expect(drawDistinct([], 3)).toEqual([]);
    expect(pool).toHaveLength(30);
  });

  it('gives every item the same chance (chi-square over 20,000 draws of 3 of 10)', () => {
    const pool = Array.from({ length: 10 }, (_, i) => i);
    const counts = new Array<number>(10).fill(0);
    const draws = 20_000;
    for (let i = 0; i < draws; i++) for (const x of drawDistinct(pool, 3)) counts[x]!++;
    const expected = (draws * 3) / 10;
    const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi² > 33.7) < 1e-4.
    expect(chi).toBeLessThan(33.7);
  });
});
