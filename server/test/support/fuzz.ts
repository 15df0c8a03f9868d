// Seeded randomness and hostile values for the fuzz suites. One seed replays a whole run:
// the suites print theirs and take FUZZ_SEED to repeat it.

export interface Rng {
  seed: number;
  next: () => number;
  int: (min: number, max: number) => number;
  chance: (p: number) => boolean;
  pick: <T>(items: readonly T[]) => T;
}

/** mulberry32: small, fast, good enough to spread inputs; not for secrets. */
export function rng(seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}

/** A UUID from the run's stream (so a replay asks for the same ids). */
export function uuidFrom(r: Rng): string {
  const hex = Array.from({ length: 32 }, () => r.int(0, 15).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Bytes from the run's stream (crypto's would not replay). */
export function bytesFrom(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(0, 255)));
}

/** Strings that have broken servers: NUL and other controls, lone surrogates, huge, odd numbers, SQL, paths. */
export function nastyString(r: Rng): string {
  return r.pick([
    () => '',
    () => ' ',
    () => 'a\u0000b',
    () => '\u0000',
    () => 'x'.repeat(r.int(1, 3) * 70_000),
    () => 'é'.repeat(5000),
    () => '\ud800',
    () => 'a\udc00b',
    () => '\u0001\u0002\u001b[31m',
    () => 'line\nbreak\r\n',
    () => '\u202e\u200b\ufeff',
    () => "'; drop table users; --",
    () => '%00%zz%',
    () => '../../etc/passwd',
    () => '1e309',
    () => '-0',
    () => 'NaN',
    () => '00000000-0000-0000-0000-000000000000',
    () => 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    () => '2026-02-30T25:61:00Z',
    () => '0x' + 'f'.repeat(40),
    () => 'a@b.c',
    () => 'ünïcödé@exämple.com',
    () => '__proto__',
    () => '😀'.repeat(300),
  ])();
}

/** Any JSON value, including awkward ones, `depth` levels deep at most. */
export function nastyValue(r: Rng, depth = 2): unknown {
  const leaves = [
    () => null,
    () => true,
    () => false,
    () => 0,
    () => -1,
    () => 1.5,
    () => 2 ** 53 + 2,
    () => -(2 ** 63),
    () => 1e308,
    () => nastyString(r),
  ];
  if (depth <= 0 || r.chance(0.6)) return r.pick(leaves)();
  if (r.chance(0.5)) return Array.from({ length: r.int(0, 4) }, () => nastyValue(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = r.int(0, 3); i > 0; i--)
    o[r.pick(['a', 'id', '__proto__', 'constructor', 'prototype', 'toString'])] = nastyValue(r, depth - 1);
  return o;
}

/** Nesting deeper than any parser should follow: arrays or objects. */
export function deep(levels: number, objects: boolean): string {
  return objects ? '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) : '['.repeat(levels) + ']'.repeat(levels);
}

/** Prototype keys as JSON text (JSON.stringify would drop a real __proto__). */
export function prototypeBody(base: Record<string, unknown>): string {
  const json = JSON.stringify(base);
  const extra = '"__proto__":{"isAdmin":true,"role":"admin"},"constructor":{"prototype":{"polluted":1}}';
  return json === '{}' ? `{${extra}}` : `{${extra},${json.slice(1)}`;
}
