// The messages between the page and the detector's worker.
import type { FaceSample } from './detector.ts';

export type ToWorker =
  | { type: 'init'; origin: string }
  | { type: 'detect'; id: number; frame: ImageBitmap; describe: boolean }
  | { type: 'reference'; descriptor: number[] | null };

export type FromWorker =
  | { type: 'ready'; loadMs: number }
  | { type: 'failed'; message: string }
  | {
      type: 'result';
      id: number;
      faces: FaceSample[];
      descriptor: number[] | null;
      similarity: number | null;
      workerMs: number;
    }
  | { type: 'error'; id: number; message: string };
