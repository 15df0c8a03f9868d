// The camera alert rules, driven by Detection.at: no clocks, no waiting.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CameraSettings } from '@exam-hall/protocol';
import type { Detection, FaceSample } from '../../src/lib/camera/detector.ts';
import { createCameraRules } from '../../src/lib/camera/rules.ts';
import { verdictOf } from '../../src/lib/camera/verdict.ts';
import { HUMAN_VERSION, TFJS_WASM_VERSION } from '../../src/lib/camera/vendor.ts';

const settings: Pick<CameraSettings, 'mode' | 'noFaceSeconds' | 'lookAwaySeconds' | 'lookAwayDegrees'> = {
  mode: 'presence',
  noFaceSeconds: 5,
  lookAwaySeconds: 4,
  lookAwayDegrees: 35,
};
const face = (o: Partial<FaceSample> = {}): FaceSample => ({
  score: 0.95,
  box: [0, 0, 100, 100],
  yaw: 0,
  pitch: 0,
  roll: 0,
  ...o,
});
const det = (at: number, faces: FaceSample[], similarity: number | null = null): Detection => ({
  at,
  faces,
  descriptor: null,
  similarity,
  workerMs: 50,
  mainMs: 1,
});

/** Feeds one check every 500 ms from t=0; returns every alert with the time it fired. */
function play(rules: ReturnType<typeof createCameraRules>, frames: ((i: number) => Detection) | Detection[]) {
  const list = Array.isArray(frames) ? frames : Array.from({ length: 200 }, (_, i) => frames(i));
  const fired: { at: number; type: string; confidence: number; measure: object; durationMs?: number }[] = [];
  const states: string[] = [];
  for (const d of list) {
    const r = rules.feed(d);
    states.push(r.state);
    for (const a of r.alerts) fired.push({ at: d.at, ...a });
  }
  return { fired, states };
}
const every = (n: number, f: (i: number) => FaceSample[], sim?: (i: number) => number | null) =>
  Array.from({ length: n }, (_, i) => det(i * 500, f(i), sim?.(i) ?? null));

describe('camera rules', () => {
  it('raises nothing for one face facing the screen', () => {
    const { fired, states } = play(
      createCameraRules({ ...settings, mode: 'identity' }),
      every(
        100,
        () => [face()],
        () => 0.9,
      ),
    );
    expect(fired).toEqual([]);
    expect(new Set(states)).toEqual(new Set(['on']));
  });

  it('raises no_face once after noFaceSeconds without a face, with the share of empty checks', () => {
    // A face for 2 s, then none for 10 s, with one flicker of a face at 3 s into the gap.
    const frames = every(40, (i) => (i < 4 || i === 10 ? [face()] : i < 24 ? [] : [face()]));
    const { fired, states } = play(createCameraRules(settings), frames);
    expect(fired).toEqual([{ at: 7000, type: 'no_face', confidence: 0.91, measure: { faces: 0 }, durationMs: 5000 }]);
    // The gap starts at 2 s and it fires at 7 s; 11 checks from 2.0 s to 7.0 s, 10 of them without a face.
    expect(states[4]).toBe('on');
    expect(states[5]).toBe('no_face');
    expect(states[10]).toBe('on');
    expect(states.at(-1)).toBe('on');
  });

  it('does not raise no_face for a gap shorter than noFaceSeconds, and re-arms after the face is back', () => {
    const gap = (from: number, to: number) => (i: number) => (i >= from && i < to ? [] : [face()]);
    const short = play(createCameraRules(settings), every(40, gap(4, 12))); // 4 s
    expect(short.fired).toEqual([]);
    const twice = play(
      createCameraRules(settings),
      every(80, (i) => ((i >= 4 && i < 20) || (i >= 40 && i < 60) ? [] : [face()])),
    );
    expect(twice.fired.map((a) => [a.type, a.at])).toEqual([
      ['no_face', 7000],
      ['no_face', 25000],
    ]);
  });

  it('raises multi_person on the second consecutive check with two faces, confidence the second face’s score', () => {
    const frames = every(20, (i) => (i === 3 || (i >= 6 && i < 10) ? [face(), face({ score: 0.8 })] : [face()]));
    const { fired } = play(createCameraRules(settings), frames);
    // One lone two-face check (i=3) raises nothing; i=6,7 do, once.
    expect(fired).toEqual([{ at: 3500, type: 'multi_person', confidence: 0.8, measure: { faces: 2 } }]);
  });

  it('raises gaze_offscreen after lookAwaySeconds beyond the angle, on the largest of yaw, pitch and roll', () => {
    const frames = every(30, (i) => (i >= 2 && i < 20 ? [face({ roll: -41, yaw: 5 })] : [face({ yaw: 20 })]));
    const { fired } = play(createCameraRules(settings), frames);
    expect(fired).toEqual([
      { at: 5000, type: 'gaze_offscreen', confidence: 1, measure: { degrees: 41 }, durationMs: 4000 },
    ]);
    // Within the angle (20 < 35) never fires; checks without a face neither start nor end it.
    const within = play(
      createCameraRules(settings),
      every(40, (i) => (i % 3 ? [face({ pitch: 34 })] : [])),
    );
    expect(within.fired).toEqual([]);
  });

  it('raises face_mismatch in identity mode only, on two consecutive described checks under the threshold', () => {
    // Described every 6th check; similarity 0.3 from the 3rd description on.
    const sim = (i: number) => (i % 6 === 0 ? (i >= 12 ? 0.3 : 0.9) : null);
    const frames = every(40, () => [face()], sim);
    const identity = play(createCameraRules({ ...settings, mode: 'identity' }), frames);
    expect(identity.fired).toEqual([
      { at: 9000, type: 'face_mismatch', confidence: 0.7, measure: { similarity: 0.3 } },
    ]);
    expect(play(createCameraRules(settings), frames).fired).toEqual([]);
    // One low description between good ones raises nothing.
    const once = play(
      createCameraRules({ ...settings, mode: 'identity' }),
      every(
        40,
        () => [face()],
        (i) => (i % 6 === 0 ? (i === 12 ? 0.2 : 0.9) : null),
      ),
    );
    expect(once.fired).toEqual([]);
  });

  it('raises nothing when the camera is off', () => {
    expect(
      play(
        createCameraRules({ ...settings, mode: 'off' }),
        every(60, () => []),
      ).fired,
    ).toEqual([]);
  });
});

describe('camera check verdict', () => {
  it('says what to fix', () => {
    expect(verdictOf(det(0, [face()]))).toEqual({ ok: true, message: 'One face, well lit: ready', faces: 1 });
    expect(verdictOf(det(0, []))).toMatchObject({ ok: false, faces: 0, message: /No face found/ });
    expect(verdictOf(det(0, [face(), face()]))).toMatchObject({
      ok: false,
      message: '2 faces: only you may be in view',
    });
    expect(verdictOf(det(0, [face({ score: 0.4 })]))).toMatchObject({ ok: false, message: /hard to see/ });
    expect(verdictOf(det(0, [face({ yaw: -50 })]))).toMatchObject({ ok: false, message: /face the screen/ });
  });
});

describe('detector file addresses', () => {
  it('carry the installed packages’ versions (the server serves only those)', () => {
    const require = createRequire(import.meta.url);
    const human = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'package.json');
    expect(JSON.parse(readFileSync(human, 'utf8')).version).toBe(HUMAN_VERSION);
    const wasm = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
    expect(JSON.parse(readFileSync(wasm, 'utf8')).version).toBe(TFJS_WASM_VERSION);
  });
});
