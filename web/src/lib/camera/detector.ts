// The camera detector, on the student's device. The page grabs a frame (createImageBitmap)
// and hands it to a worker that runs the face models (detector.worker.ts); the main thread
// never waits for a check, and a tick is skipped while the previous check still runs.
// Nothing here sends anything to the server: callers decide what leaves the device.
import type { FromWorker, ToWorker } from './messages.ts';

/** One face in a frame; angles in degrees. */
export type FaceSample = {
  score: number;
  box: [number, number, number, number];
  yaw: number;
  pitch: number;
  roll: number;
};
export type Detection = {
  /** performance.now() when the frame was taken. */
  at: number;
  /** Highest score first. */
  faces: FaceSample[];
  /** Only when asked for (identity) and exactly one face is in view. */
  descriptor: number[] | null;
  /** Against the reference, when one is set and this check described the face. */
  similarity: number | null;
  /** Time the worker spent on the check. */
  workerMs: number;
  /** Time the page's main thread spent on the check (grabbing the frame, posting it, reading the answer). */
  mainMs: number;
};
export type CameraOpenResult =
  | { ok: true; stream: MediaStream }
  | { ok: false; reason: 'denied' | 'no_camera' | 'unsupported' | 'error'; message: string };

export interface CameraDetector {
  /** Checks `video` every intervalMs (default 500) until stop(); describes the face (identity) every describeEveryMs (default 3000) when a reference is set. */
  start(video: HTMLVideoElement, opts?: { intervalMs?: number; describeEveryMs?: number }): void;
  setReference(descriptor: number[] | null): void;
  onDetection(cb: (d: Detection) => void): () => void;
  /** One check with the face description, for the lobby: the reference, or why not. */
  captureReference(
    video: HTMLVideoElement,
  ): Promise<{ ok: true; descriptor: number[]; score: number } | { ok: false; reason: 'no_face' | 'many_faces' }>;
  /** Describes the one face in a still image (a photo the student picked): it stays on the device. */
  describeImage(image: ImageBitmapSource): Promise<Detection>;
  stop(): void;
  /** stop(), and ends the worker. */
  dispose(): void;
}

/** The camera, 640x480, no sound; why not, in words a student can act on. */
export async function openCamera(): Promise<CameraOpenResult> {
  if (!navigator.mediaDevices?.getUserMedia)
    return {
      ok: false,
      reason: 'unsupported',
      message: 'This browser cannot use a camera here. Use a current Chrome, Edge, Firefox or Safari.',
    };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
    return { ok: true, stream };
  } catch (err) {
    const name = err instanceof DOMException ? err.name : '';
    if (name === 'NotAllowedError' || name === 'SecurityError')
      return {
        ok: false,
        reason: 'denied',
        message:
          'The browser was not allowed to use the camera. Allow the camera for this site (the camera icon in the address bar), then try again.',
      };
    if (name === 'NotFoundError' || name === 'OverconstrainedError')
      return { ok: false, reason: 'no_camera', message: 'No camera was found. Connect a camera, then try again.' };
    return {
      ok: false,
      reason: 'error',
      message:
        name === 'NotReadableError'
          ? 'The camera is in use by another program. Close it, then try again.'
          : 'The camera could not be started. Try again, or restart the browser.',
    };
  }
}

const READY_TIMEOUT_MS = 60_000;

/** Starts the worker and loads the models from our own server. Rejects with a readable Error. */
export function createDetector(): Promise<CameraDetector> {
  const worker = new Worker(new URL('./detector.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new Error('The face detector took too long to load. Check the connection and try again.'));
    }, READY_TIMEOUT_MS);
    worker.onerror = (e) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(`The face detector could not start: ${e.message || 'unknown error'}`));
    };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(detectorOn(worker, send));
      } else if (m.type === 'failed') {
        clearTimeout(timer);
        worker.terminate();
        reject(new Error(`The face detector could not load: ${m.message}`));
      }
    };
    send({ type: 'init', origin: location.origin });
  });
}

type Pending = { at: number; mainMs: number; resolve: (d: Detection) => void; reject: (e: Error) => void };

function detectorOn(worker: Worker, send: (m: ToWorker, transfer?: Transferable[]) => void): CameraDetector {
  const listeners = new Set<(d: Detection) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  let hasReference = false;
  let lastDescribed = -Infinity;
  let disposed = false;

  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const t0 = performance.now();
    const m = e.data;
    if (m.type !== 'result' && m.type !== 'error') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type === 'error') return p.reject(new Error(m.message));
    const { faces, descriptor, similarity, workerMs } = m;
    p.resolve({ at: p.at, faces, descriptor, similarity, workerMs, mainMs: p.mainMs + performance.now() - t0 });
  };

  /** Grabs the frame and sends it; resolves with the worker's answer. */
  async function check(source: ImageBitmapSource, describe: boolean): Promise<Detection> {
    if (disposed) throw new Error('The detector was closed.');
    const at = performance.now();
    const grab = createImageBitmap(source);
    let mainMs = performance.now() - at;
    const frame = await grab;
    const t1 = performance.now();
    const id = nextId++;
    const answer = new Promise<Detection>((resolve, reject) => pending.set(id, { at, mainMs: 0, resolve, reject }));
    send({ type: 'detect', id, frame, describe }, [frame]);
    mainMs += performance.now() - t1;
    pending.get(id)!.mainMs = mainMs;
    return answer;
  }

  function tick(video: HTMLVideoElement, describeEveryMs: number) {
    // Skip, never queue: a slow machine checks less often rather than falling behind.
    if (busy || video.readyState < 2 || video.videoWidth === 0) return;
    busy = true;
    const now = performance.now();
    const describe = hasReference && now - lastDescribed >= describeEveryMs;
    if (describe) lastDescribed = now;
    check(video, describe)
      .then((d) => {
        if (timer === undefined) return;
        for (const cb of listeners) cb(d);
      })
      .catch(() => {
        // A lost frame (the video paused, the worker busy loading) is the next tick's to retry.
      })
      .finally(() => {
        busy = false;
      });
  }

  return {
    start(video, opts = {}) {
      this.stop();
      const intervalMs = opts.intervalMs ?? 500;
      const describeEveryMs = opts.describeEveryMs ?? 3000;
      timer = setInterval(() => tick(video, describeEveryMs), intervalMs);
    },
    setReference(descriptor) {
      hasReference = descriptor !== null;
      lastDescribed = -Infinity;
      send({ type: 'reference', descriptor });
    },
    onDetection(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    async captureReference(video) {
      const d = await check(video, true);
      if (d.faces.length === 0) return { ok: false, reason: 'no_face' };
      if (d.faces.length > 1 || !d.descriptor) return { ok: false, reason: 'many_faces' };
      return { ok: true, descriptor: d.descriptor, score: d.faces[0]!.score };
    },
    describeImage(image) {
      return check(image, true);
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    dispose() {
      this.stop();
      disposed = true;
      worker.terminate();
      for (const p of pending.values()) p.reject(new Error('The detector was closed.'));
      pending.clear();
      listeners.clear();
    },
  };
}
