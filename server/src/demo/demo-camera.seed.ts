// Demo of camera proctoring: an exam of the demo course in presence mode that keeps one
// evidence frame per camera alert, the demo student invited. Its lobby shows the consent
// text and the camera check; a refused camera blocks the start. Made through the exam and
// participant services as the demo teacher would; loading it again changes nothing.
import { DEFAULT_CAMERA_SETTINGS } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { demoCourse, ensureDemoExam, inviteDemoStudents } from './demo-exams.seed.ts';

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
  if (studentEmail) await inviteDemoStudents(db, secret, caller, exam.id, [{ email: studentEmail }]);
  return { examId: exam.id };
}
