// The detector's worker: Human (face detector, mesh for the head's rotation, and the face
// description for the identity check) on the WASM backend, loaded from our own server.
// The page sends frames (ImageBitmap, transferred); the worker answers faces, and when asked
// and exactly one face is in view, its description and its similarity to the reference.
import type { Config, Human } from '@vladmandic/human';
import type { FaceSample } from './detector.ts';
import type { FromWorker, ToWorker } from './messages.ts';
import { HUMAN_BASE, TFJS_WASM_BASE } from './vendor.ts';

const DEG = 180 / Math.PI;
let human: Human | undefined;
let reference: number[] | null = null;

function config(origin: string, describe: boolean): Partial<Config> {
  return {
    backend: 'wasm',
    modelBasePath: `${origin}${HUMAN_BASE}/models/`,
    wasmPath: `${origin}${TFJS_WASM_BASE}/`,
    debug: false,
    // Every frame is checked afresh: no reuse of an earlier frame's boxes or results.
    cacheSensitivity: 0,
    warmup: 'none',
    face: {
      enabled: true,
      detector: { maxDetected: 4, rotation: true, minConfidence: 0.3 },
      mesh: { enabled: true },
      iris: { enabled: false },
      description: { enabled: describe },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  };
}

let origin = '';
const post = (m: FromWorker) => postMessage(m);

async function init(o: string) {
  const t0 = performance.now();
  origin = o;
  try {
    const mod = (await import(/* @vite-ignore */ `${o}${HUMAN_BASE}/human.esm.js`)) as {
      Human: new (c: Partial<Config>) => Human;
    };
    human = new mod.Human(config(o, true));
    await human.load();
    // The first checks after loading compile the models' kernels: run them on a blank frame now.
    const blank = new OffscreenCanvas(128, 128);
    await human.detect(blank, config(o, true));
    post({ type: 'ready', loadMs: performance.now() - t0 });
  } catch (err) {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}

async function detect(id: number, frame: ImageBitmap, describe: boolean) {
  const t0 = performance.now();
  try {
    if (!human) throw new Error('The detector is not loaded.');
    const result = await human.detect(frame, config(origin, describe));
    const faces: FaceSample[] = result.face
      .map((f) => ({
        score: f.score,
        box: f.box as [number, number, number, number],
        yaw: (f.rotation?.angle.yaw ?? 0) * DEG,
        pitch: (f.rotation?.angle.pitch ?? 0) * DEG,
        roll: (f.rotation?.angle.roll ?? 0) * DEG,
      }))
      .sort((a, b) => b.score - a.score);
    const one = result.face.length === 1 ? result.face[0] : undefined;
    const descriptor = describe && one?.embedding?.length ? Array.from(one.embedding) : null;
    const similarity = descriptor && reference ? human.match.similarity(descriptor, reference) : null;
    post({ type: 'result', id, faces, descriptor, similarity, workerMs: performance.now() - t0 });
  } catch (err) {
    post({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    frame.close();
  }
}

// A queue of one: the page never sends a frame while the previous one is being checked.
let chain: Promise<void> = Promise.resolve();
onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'init') chain = chain.then(() => init(m.origin));
  else if (m.type === 'reference') reference = m.descriptor;
  else if (m.type === 'detect') chain = chain.then(() => detect(m.id, m.frame, m.describe));
};
