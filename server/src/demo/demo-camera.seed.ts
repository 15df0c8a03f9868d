// Demo of camera proctoring: an exam of the demo course in presence mode that keeps one
// evidence frame per camera alert, the demo student invited. Its lobby shows the consent
// text and the camera check; a refused camera blocks the start. Made through the exam and
// participant services as the demo teacher would; loading it again changes nothing.
import { and, eq } from 'drizzle-orm';
import { DEFAULT_CAMERA_SETTINGS } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { attempts, exams, users } from '../db/schema/index.ts';
import * as cameraRepo from '../modules/camera/camera.repository.ts';
import { evidenceKeysOf, sealFrame } from '../modules/camera/evidence.crypto.ts';
import * as evidenceRepo from '../modules/camera/evidence.repository.ts';
import { cameraSettingsOf } from '../modules/exams/exams.service.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { createProctoringService } from '../modules/proctoring/proctoring.service.ts';
import { startDemoAttempt } from './demo-attempts.ts';
import { DEMO_FRAME_JPEG_BASE64 } from './demo-camera-frame.ts';
import { demoCourse, ensureDemoExam, inviteDemoStudents } from './demo-exams.seed.ts';

const CAMERA_TAKER = 'student05@demo.examhall.test';
type EvidenceKeyConfig = Parameters<typeof evidenceKeysOf>[1];

export const DEMO_CAMERA_EXAM_TITLE = 'Biology: camera-proctored quiz';

export async function seedDemoCamera(db: Db, secret: string, teacherEmail: string, studentEmail?: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const exam = await ensureDemoExam(db, secret, { caller, courseId: course.id }, DEMO_CAMERA_EXAM_TITLE, {
    description:
      'Camera proctoring on your own device: the camera checks that you are present, alone and facing the screen. Only events and, per alert, one small frame leave your computer; frames are deleted after 14 days.',
    proctoring: {
      enabled: true,
      requireFullscreen: false,
      blockCopyPaste: false,
      strictMode: false,
      allowedBrowsers: [],
      camera: { ...DEFAULT_CAMERA_SETTINGS, mode: 'presence', evidence: true, retentionDays: 14 },
    },
  });
  const invite = [...(studentEmail ? [{ email: studentEmail }] : []), { email: CAMERA_TAKER }];
  await inviteDemoStudents(db, secret, caller, exam.id, invite);
  return { examId: exam.id };
}

/**
 * A class-mate (student05) in the middle of the camera exam: consented and checked in the
 * lobby, camera on, with three camera alerts the detector raised (no face with its frame,
 * two faces, looking away), so the hall shows the Camera column, confidences, "Show frame"
 * and the camera signals in the risk breakdown. Signals go through the proctoring service
 * (as the page's would), the frame is sealed with the installation's evidence key and stored
 * as the upload route stores it. Made once.
 */
export async function seedDemoCameraAttempt(db: Db, secret: string, evidence: EvidenceKeyConfig, examId: string) {
  const user = await db.query.users.findFirst({ where: eq(users.email, CAMERA_TAKER) });
  const exam = await db.query.exams.findFirst({ where: eq(exams.id, examId) });
  if (!user || !exam || exam.status !== 'published') return null;
  const found = await db.query.attempts.findFirst({
    where: and(eq(attempts.examId, examId), eq(attempts.userId, user.id)),
  });
  if (found) return found.id;
  const id = await startDemoAttempt(db, exam, user.id, (attemptId) =>
    db.transaction((tx) =>
      cameraRepo.saveCheck(tx, attemptId, {
        state: 'on',
        faceReference: null,
        faceVerificationCompleted: false,
        faceVerificationScore: null,
      }),
    ),
  );
  if (!id) return null;
  await cameraRepo.saveStatus(db, id, 'on', null, 0);
  const proctoring = createProctoringService({ db, secret, publish: silentPublisher });
  const who = { id, examId, userId: user.id };
  const alerts = [
    { type: 'no_face', confidence: 0.92, measure: { faces: 0 }, durationMs: 12_000 },
    { type: 'multi_person', confidence: 0.81, measure: { faces: 2 } },
    { type: 'gaze_offscreen', confidence: 0.7, measure: { degrees: 48 }, durationMs: 11_000 },
  ] as const;
  for (const [i, a] of alerts.entries()) {
    const event = await proctoring.recordEvent(
      who,
      a.type,
      { measure: a.measure, ...('durationMs' in a ? { durationMs: a.durationMs } : {}) },
      `demo-camera-${i}`,
      { confidence: a.confidence },
    );
    if (i === 0 && event) {
      const frame = Buffer.from(DEMO_FRAME_JPEG_BASE64, 'base64');
      const { sealed, keyId } = sealFrame(evidenceKeysOf(secret, evidence), frame);
      const retentionDays = cameraSettingsOf(exam).retentionDays;
      await db.transaction((tx) =>
        evidenceRepo.insertEvidence(tx, {
          eventId: event.id,
          attemptId: id,
          examId,
          sealed,
          keyId,
          bytes: frame.length,
          expiresAt: new Date(Date.now() + retentionDays * 86_400_000),
        }),
      );
    }
  }
  return id;
}
