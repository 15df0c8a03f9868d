// Demo of the settings that do what they say: an exam of the demo course nobody is invited
// to, which its students (the demo student among them) join from their home page with the
// exam code; it is proctored in strict mode, graded blind, and reviewed from a risk of 40.
// Made through the exam and question services as the demo teacher would (ensureDemoExam);
// loading it again changes nothing.
import { DEFAULT_CAMERA_SETTINGS } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { AppError } from '../http/errors.ts';
import { demoCourse, ensureDemoExam } from './demo-exams.seed.ts';

export const DEMO_CODE_EXAM_TITLE = 'Chemistry: join with the exam code';
export const DEMO_EXAM_CODE = 'CHEM2026';

export async function seedDemoSettings(db: Db, secret: string, teacherEmail: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const settings = {
    description: `Not invited: students of the demo course join it from their home page with the exam code ${DEMO_EXAM_CODE}.`,
    blindGrading: true,
    reviewRiskThreshold: 40,
    proctoring: {
      enabled: true,
      requireFullscreen: false,
      blockCopyPaste: true,
      strictMode: true,
      allowedBrowsers: [],
      camera: DEFAULT_CAMERA_SETTINGS,
    },
  };
  const owner = { caller, courseId: course.id };
  try {
    const exam = await ensureDemoExam(db, secret, owner, DEMO_CODE_EXAM_TITLE, { ...settings, code: DEMO_EXAM_CODE });
    return { examId: exam.id, code: exam.code };
  } catch (e) {
    // Someone's own exam already holds the code: the demo exam goes without one.
    if (!(e instanceof AppError) || e.status !== 409) throw e;
    const exam = await ensureDemoExam(db, secret, owner, DEMO_CODE_EXAM_TITLE, settings);
    return { examId: exam.id, code: exam.code };
  }
}
