// The camera check's verdict in words a student can act on.
import type { Detection } from './detector.ts';
import { headAngle } from './rules.ts';

export type Verdict = { ok: boolean; message: string; faces: number };

/** Below this detector score the face is hard to see (dim light, far away, partly hidden). */
const CLEAR_FACE = 0.6;
/** Beyond this many degrees the student is asked to face the screen. */
const FACING = 35;

export function verdictOf(d: Detection): Verdict {
  const n = d.faces.length;
  if (n === 0) return { ok: false, message: 'No face found: move into the light and face the screen', faces: 0 };
  if (n > 1) return { ok: false, message: `${n} faces: only you may be in view`, faces: n };
  const f = d.faces[0]!;
  if (f.score < CLEAR_FACE)
    return { ok: false, message: 'Your face is hard to see: add light in front of you and come closer', faces: 1 };
  if (headAngle(f) > FACING) return { ok: false, message: 'Your head is turned: face the screen', faces: 1 };
  return { ok: true, message: 'One face, well lit: ready', faces: 1 };
}
