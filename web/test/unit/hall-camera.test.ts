// How the hall words camera proctoring: the camera cell (state in words, since when,
// identity score), camera alerts' measure and confidence, and a label for every signal.
import { describe, expect, it } from 'vitest';
import { proctorSignalTypes, type HallRow } from '@exam-hall/protocol';
import {
  alertDetail,
  cameraText,
  cameraTrouble,
  confidenceText,
  signalLabel,
  timeOfDaySeconds,
} from '../../src/lib/hall/status.ts';

const AT = '2026-12-06T10:42:05.000Z';
const row = (camera: HallRow['camera']) => ({ camera }) as HallRow;

describe('hall camera wording', () => {
  it('names the camera state in words, with since when and the identity score', () => {
    expect(cameraText(row(undefined))).toBeNull();
    expect(cameraText(row(null))).toBeNull();
    expect(cameraText(row({ state: 'no_face', at: AT, faceVerificationScore: null }))).toEqual({
      state: 'No face now',
      since: `since ${timeOfDaySeconds(AT)}`,
    });
    expect(cameraText(row({ state: 'on', at: AT, faceVerificationScore: 0.8234 }))).toEqual({
      state: 'Camera on',
      since: `since ${timeOfDaySeconds(AT)} · Identity 0.82`,
    });
    expect(cameraText(row({ state: 'denied', at: AT, faceVerificationScore: null }))?.state).toBe('Camera refused');
    expect(cameraText(row({ state: 'off', at: AT, faceVerificationScore: null }))?.state).toBe('Camera off');
    expect(cameraText(row({ state: 'starting', at: AT, faceVerificationScore: null }))?.state).toBe('Camera starting');
    expect(['starting', 'on', 'no_face', 'off', 'denied'].filter((s) => cameraTrouble(s as never))).toEqual([
      'no_face',
      'off',
      'denied',
    ]);
  });

  it("words a camera alert's measure, from details.measure or details itself, and its confidence", () => {
    expect(alertDetail({ durationMs: 12_000, measure: { faces: 0 } })).toBe('for 12 s, 0 faces');
    expect(alertDetail({ faces: 2 })).toBe('2 faces');
    expect(alertDetail({ measure: { degrees: -41.4 }, durationMs: 10_500 })).toBe('for 10 s, head turned 41°');
    expect(alertDetail({ measure: { similarity: 0.371 } })).toBe('similarity 0.37');
    expect(alertDetail({ durationMs: 4000 })).toBe('for 4 s');
    expect(alertDetail({ measure: { faces: 'x' } })).toBe('');
    expect(confidenceText(0.914)).toBe('confidence 0.91');
    expect(confidenceText(null)).toBe('');
    expect(confidenceText(undefined)).toBe('');
  });

  it('has a label for every signal type, camera ones included', () => {
    // The fallback for an unknown type is the type with spaces: every known one has a label of its own.
    for (const type of proctorSignalTypes) expect(signalLabel(type)).not.toBe(type.replaceAll('_', ' '));
    expect(signalLabel('face_mismatch')).toBe('Face mismatch');
    expect(signalLabel('multi_person')).toBe('More than one person');
  });
});
