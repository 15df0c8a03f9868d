// The camera detector's files come from our own server: the allow-listed library bundle,
// face models and WASM binaries with the right types and a long cache, and nothing else.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

const require = createRequire(import.meta.url);
// Human's exports map hides package.json: find its folder from its entry (in dist/).
const humanRoot = dirname(dirname(require.resolve('@vladmandic/human')));
const humanVersion = (JSON.parse(readFileSync(join(humanRoot, 'package.json'), 'utf8')) as { version: string }).version;
const wasmVersion = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem();
});
afterAll(() => t?.close());

const get = (path: string) => fetch(`${t.url}${path}`);

describe('the detector files', () => {
  const h = `/vendor/human/${humanVersion}`;
  const w = `/vendor/tfjs-wasm/${wasmVersion}`;
  const served: [string, string][] = [
    [`${h}/human.esm.js`, 'text/javascript; charset=utf-8'],
    ...['blazeface', 'facemesh', 'faceres'].flatMap((m): [string, string][] => [
      [`${h}/models/${m}.json`, 'application/json; charset=utf-8'],
      [`${h}/models/${m}.bin`, 'application/octet-stream'],
    ]),
    ...['tfjs-backend-wasm', 'tfjs-backend-wasm-simd', 'tfjs-backend-wasm-threaded-simd'].map((f): [string, string] => [
      `${w}/${f}.wasm`,
      'application/wasm',
    ]),
  ];

  it.each(served)('serves %s as %s, cached for a year', async (path, type) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body.length).toBeGreaterThan(100);
    if (type === 'application/wasm') expect([...body.subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);
  });

  it('serves the same bytes as the installed package', async () => {
    const res = await get(`${h}/models/blazeface.json`);
    const file = readFileSync(join(humanRoot, 'models/blazeface.json'), 'utf8');
    expect(await res.text()).toBe(file);
  });

  it.each([
    `${h}/models/centernet.json`, // a model of the package we do not use
    `${h}/models/iris.bin`,
    `${h}/models/models.json`,
    `${h}/../../../package.json`,
    `${h}/models/..%2f..%2fpackage.json`,
    `${h}/models/%2e%2e/package.json`,
    `/vendor/human/0.0.1/human.esm.js`, // another version
    `${h}/human.js`,
    `${h}/human.esm.js.map`,
    `${w}/tfjs-backend-wasm.js`,
    `/vendor/tfjs-wasm/${wasmVersion}/../../human/${humanVersion}/human.esm.js/../package.json`,
    `/vendor/`,
    `/vendor/%00`,
  ])('answers 404 for %s', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).not.toMatch(/javascript|wasm|octet/);
  });

  it('refuses anything but reading', async () => {
    const res = await fetch(`${t.url}${h}/human.esm.js`, { method: 'POST' });
    expect(res.status).toBe(404);
    const head = await fetch(`${t.url}${h}/human.esm.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});
