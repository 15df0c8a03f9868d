// When what the camera sees becomes an alert. Pure: time comes from Detection.at, so the
// rules are tested without clocks. Each alert fires once per episode and re-arms when its
// condition has cleared on CLEAR_CHECKS consecutive checks (one good frame in a bad run,
// or one bad frame in a good run, neither ends nor starts an episode on its own).
//
// Confidence (0-1), per alert:
// - no_face: the share of the episode's checks that saw no face;
// - multi_person: the detector's score for the second most certain face;
// - gaze_offscreen: the share of the episode's checks (with a face) whose head rotation was beyond the angle;
// - face_mismatch: 1 - the mean similarity of the two described checks that raised it.
import { FACE_MATCH_THRESHOLD, type CameraSettings, type CameraState } from '@exam-hall/protocol';
import type { Detection } from './detector.ts';

export type CameraAlert = {
  type: 'no_face' | 'multi_person' | 'gaze_offscreen' | 'face_mismatch';
  confidence: number;
  measure: { faces?: number; degrees?: number; similarity?: number };
  durationMs?: number;
};
export type CameraRules = { feed(d: Detection): { state: CameraState; alerts: CameraAlert[] } };

/** Consecutive checks that end an episode (and, for multi_person and face_mismatch, start one). */
export const CLEAR_CHECKS = 2;

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The largest of the head's three angles, in degrees. */
export const headAngle = (f: { yaw: number; pitch: number; roll: number }) =>
  Math.max(Math.abs(f.yaw), Math.abs(f.pitch), Math.abs(f.roll));

/** A condition lasting over time: no face, looking away. */
function timedEpisode(seconds: number) {
  let start: number | null = null;
  let checks = 0;
  let hits = 0;
  let clear = 0;
  let fired = false;
  return {
    /** hit: the condition holds on this check; undefined: this check says nothing about it. */
    feed(at: number, hit: boolean | undefined): { confidence: number; durationMs: number } | null {
      if (hit === undefined) return null;
      if (start === null) {
        if (!hit) return null;
        start = at;
      }
      checks++;
      if (hit) {
        hits++;
        clear = 0;
      } else if (++clear >= CLEAR_CHECKS) {
        start = null;
        checks = hits = clear = 0;
        fired = false;
        return null;
      }
      const durationMs = at - start;
      if (!fired && hit && durationMs >= seconds * 1000) {
        fired = true;
        return { confidence: round(hits / checks), durationMs: Math.round(durationMs) };
      }
      return null;
    },
    get active() {
      return start !== null;
    },
  };
}

/** A condition confirmed on consecutive checks: two faces, someone else. */
function consecutive<T>() {
  let run: T[] = [];
  let clear = 0;
  let fired = false;
  return {
    feed(hit: T | null): T[] | null {
      if (hit === null) {
        if (++clear >= CLEAR_CHECKS) {
          run = [];
          fired = false;
        }
        return null;
      }
      clear = 0;
      run = [...run, hit].slice(-CLEAR_CHECKS);
      if (!fired && run.length >= CLEAR_CHECKS) {
        fired = true;
        return run;
      }
      return null;
    },
  };
}

export function createCameraRules(
  settings: Pick<CameraSettings, 'mode' | 'noFaceSeconds' | 'lookAwaySeconds' | 'lookAwayDegrees'>,
): CameraRules {
  const noFace = timedEpisode(settings.noFaceSeconds);
  const gaze = timedEpisode(settings.lookAwaySeconds);
  const many = consecutive<number>();
  const mismatch = consecutive<number>();
  let noFaceRun = 0;

  return {
    feed(d) {
      const alerts: CameraAlert[] = [];
      if (settings.mode === 'off') return { state: 'on', alerts };
      const n = d.faces.length;
      noFaceRun = n === 0 ? noFaceRun + 1 : 0;

      const nf = noFace.feed(d.at, n === 0);
      if (nf)
        alerts.push({ type: 'no_face', confidence: nf.confidence, measure: { faces: 0 }, durationMs: nf.durationMs });

      const second = n >= 2 ? d.faces.map((f) => f.score).sort((a, b) => b - a)[1]! : null;
      const m = many.feed(second);
      if (m) alerts.push({ type: 'multi_person', confidence: round(second!), measure: { faces: n } });

      // The most certain face is the student's; without a face this check says nothing about the gaze.
      const face = d.faces.reduce<Detection['faces'][number] | undefined>(
        (a, f) => (!a || f.score > a.score ? f : a),
        undefined,
      );
      const angle = face ? headAngle(face) : 0;
      const g = gaze.feed(d.at, face ? angle > settings.lookAwayDegrees : undefined);
      if (g)
        alerts.push({
          type: 'gaze_offscreen',
          confidence: g.confidence,
          measure: { degrees: Math.round(angle) },
          durationMs: g.durationMs,
        });

      if (settings.mode === 'identity' && d.similarity !== null) {
        const mm = mismatch.feed(d.similarity < FACE_MATCH_THRESHOLD ? d.similarity : null);
        if (mm) {
          const mean = mm.reduce((a, b) => a + b, 0) / mm.length;
          alerts.push({ type: 'face_mismatch', confidence: round(1 - mean), measure: { similarity: round(mean) } });
        }
      }

      // "No face now" once it is more than a flicker; the alert itself waits for noFaceSeconds.
      const state: CameraState = noFaceRun >= CLEAR_CHECKS ? 'no_face' : 'on';
      return { state, alerts };
    },
  };
}
