// The exam settings form's state: what it edits (a flat copy of the exam with text
// for dates and nullable numbers for number boxes) and how its fields are named.
import {
  DEFAULT_CAMERA_SETTINGS,
  examCreateSchema,
  type CameraSettings,
  type Exam,
  type ExamCreate,
} from '@exam-hall/protocol';
import { toLocalInput } from '#lib/format.ts';

export const PREFIX = 'exam-';

/** Field names as the error summary says them. */
export const labels: Record<string, string> = {
  title: 'Title',
  courseId: 'Course',
  description: 'Description',
  instructions: 'Instructions',
  durationMinutes: 'Duration',
  startsAt: 'Opens',
  endsAt: 'Closes',
  passingScore: 'Passing score',
  maxAttempts: 'Attempts allowed',
  partialCreditPenalty: 'Penalty',
  disconnectCreditMaxMinutes: 'Most credit',
  code: 'Exam code',
  reviewRiskThreshold: 'Review threshold',
  'proctoring.camera.mode': 'Camera proctoring',
  'proctoring.camera.deniedPolicy': 'Refused camera',
  'proctoring.camera.retentionDays': 'Camera evidence retention',
  'proctoring.camera.noFaceSeconds': 'No-face time',
  'proctoring.camera.lookAwaySeconds': 'Looking-away time',
  'proctoring.camera.lookAwayDegrees': 'Looking-away angle',
};

// The protocol's own defaults for everything a new exam does not say.
const defaults = examCreateSchema.parse({ title: 'New exam', durationMinutes: 60, availableAnytime: true });

export function initialForm(e: Exam | undefined, courseId: string) {
  const s: ExamCreate = e ?? { ...defaults, availableAnytime: false };
  return {
    title: e?.title ?? '',
    courseId: (e ? e.courseId : courseId) ?? '',
    description: s.description ?? '',
    instructions: s.instructions ?? '',
    durationMinutes: s.durationMinutes as number | null,
    availableAnytime: s.availableAnytime,
    startsAt: toLocalInput(s.startsAt),
    endsAt: toLocalInput(s.endsAt),
    shuffleQuestions: s.shuffleQuestions,
    shuffleOptions: s.shuffleOptions,
    passingScore: s.passingScore as number | null,
    maxAttempts: s.maxAttempts as number | null,
    allowReview: s.allowReview,
    resultsPolicy: s.resultsPolicy,
    partialCreditRule: s.partialCreditRule,
    partialCreditPenalty: s.partialCreditPenalty as number | null,
    proctoring: {
      ...s.proctoring,
      allowedBrowsers: [...(s.proctoring.allowedBrowsers ?? [])],
      // A copy, so editing the form never changes the exam it was read from; number boxes may be emptied.
      camera: { ...DEFAULT_CAMERA_SETTINGS, ...s.proctoring.camera } as CameraForm,
    },
    disconnectPolicy: s.disconnectPolicy,
    disconnectCreditMaxMinutes: s.disconnectCreditMaxMinutes as number | null,
    issueCertificates: s.issueCertificates,
    startMode: s.startMode,
    code: s.code ?? '',
    blindGrading: s.blindGrading,
    reviewRiskThreshold: s.reviewRiskThreshold as number | null,
  };
}

/** Letters and digits nobody misreads (no 0/O, 1/I/L): what a generated exam code is made of. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A fresh 7-character exam code; the server says if it happens to be taken. */
export function generateExamCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))) {
  return [...random(7)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** The camera settings as the form edits them: an emptied number box is null until the schema says so. */
type CameraForm = Omit<CameraSettings, NumberKeys> & { [K in NumberKeys]: number | null };
type NumberKeys = 'retentionDays' | 'noFaceSeconds' | 'lookAwaySeconds' | 'lookAwayDegrees';

export type ExamForm = ReturnType<typeof initialForm>;
