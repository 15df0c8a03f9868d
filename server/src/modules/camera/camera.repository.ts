// SQL of camera proctoring on the attempt row: the lobby's consent and check, the state the
// exam page reports, and the identity score. Evidence frames are in evidence.*.ts.
import { and, eq, sql } from 'drizzle-orm';
import type { CameraState } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, exams, type Attempt, type Exam } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** The attempt and its exam, or undefined. `lock` takes the attempt's row lock (inside a transaction). */
export async function attemptWithExam(
  db: Q,
  attemptId: string,
  lock = false,
): Promise<{ attempt: Attempt; exam: Exam } | undefined> {
  const q = db
    .select({ attempt: attempts, exam: exams })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .where(eq(attempts.id, attemptId));
  const [row] = await (lock ? q.for('update', { of: attempts }) : q);
  return row;
}

export interface CheckValues {
  state: CameraState;
  faceReference: number[] | null;
  faceVerificationCompleted: boolean;
  faceVerificationScore: number | null;
}

/** Stores the lobby's check (replacing an earlier one) on a lobby attempt; the updated row. */
export async function saveCheck(tx: Tx, attemptId: string, v: CheckValues): Promise<Attempt | undefined> {
  const [row] = await tx
    .update(attempts)
    .set({
      cameraConsentAt: sql`now()`,
      cameraState: v.state,
      cameraStateAt: sql`now()`,
      faceReference: v.faceReference,
      faceVerificationCompleted: v.faceVerificationCompleted,
      faceVerificationScore: v.faceVerificationScore,
    })
    .where(and(eq(attempts.id, attemptId), eq(attempts.status, 'not_started')))
    .returning();
  return row;
}

/**
 * Stores the state the exam page reported, unless it is the same state and the similarity
 * moved by no more than `minDelta` (keeps writes low). Answers the updated row, or
 * undefined when nothing changed (or the attempt is not running).
 */
export async function saveStatus(
  db: Q,
  attemptId: string,
  state: CameraState,
  similarity: number | null,
  minDelta: number,
): Promise<Attempt | undefined> {
  const score = similarity === null ? sql`${attempts.faceVerificationScore}` : sql`${similarity}::real`;
  const changed =
    similarity === null
      ? sql`${attempts.cameraState} is distinct from ${state}`
      : sql`(${attempts.cameraState} is distinct from ${state}
             or ${attempts.faceVerificationScore} is null
             or abs(${attempts.faceVerificationScore} - ${similarity}::real) > ${minDelta})`;
  const [row] = await db
    .update(attempts)
    .set({ cameraState: state, cameraStateAt: sql`now()`, faceVerificationScore: score })
    .where(and(eq(attempts.id, attemptId), sql`${attempts.status} in ('in_progress', 'paused')`, changed))
    .returning();
  return row;
}

/** The exam's proctoring settings (camera settings inside), or undefined. */
export async function examProctoring(db: Q, examId: string): Promise<Pick<Exam, 'proctoring'> | undefined> {
  const [row] = await db.select({ proctoring: exams.proctoring }).from(exams).where(eq(exams.id, examId));
  return row;
}
