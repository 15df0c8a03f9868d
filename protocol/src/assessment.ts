// Lists shared by the database enums and both ends for banks, sections, hand grading,
// attempt review and appeals ([assessment]). Each domain's contracts import these.

/** fixed: the listed bank questions; random: draw N from a bank (optionally one tag and difficulty). */
export const sectionKinds = ['fixed', 'random'] as const;
export type SectionKind = (typeof sectionKinds)[number];

/** The attempt-level proctoring review (seed 003 reviewStatus). */
export const attemptReviewStatuses = ['pending', 'approved', 'flagged', 'rejected'] as const;
export type AttemptReviewStatus = (typeof attemptReviewStatuses)[number];

/** What a proctor did about an alert (seed 003 ProctoringAlert.action). */
export const alertActions = ['ignored', 'warning_sent', 'session_flagged', 'session_terminated'] as const;
export type AlertAction = (typeof alertActions)[number];

/** open: waiting for the teacher; upheld: the decision stands; overturned: the attempt is approved. */
export const appealStatuses = ['open', 'upheld', 'overturned'] as const;
export type AppealStatus = (typeof appealStatuses)[number];

/** Exam codes (seed 003): 6-8 letters and digits, typed by students of the exam's course. */
export const EXAM_CODE_PATTERN = /^[A-Z0-9]{6,8}$/;
