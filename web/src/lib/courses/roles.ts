import type { EnrollmentRole } from '@exam-hall/protocol';

/** How each enrolment role is called on the pages. */
export const ROLE_LABELS: Record<EnrollmentRole, string> = {
  student: 'Student',
  teacher: 'Co-teacher',
  proctor: 'Proctor',
};

export const ROLE_PLURALS: Record<EnrollmentRole, string> = {
  student: 'Students',
  teacher: 'Co-teachers',
  proctor: 'Proctors',
};

/** What archiving does, said the same way wherever it can be done. */
export const ARCHIVE_MEANING =
  'Archiving hides the course from your course lists and freezes its details and roster. Its exams, their halls and results keep working, and you can unarchive it at any time.';

export const studentsPhrase = (n: number) => `${n} ${n === 1 ? 'student' : 'students'}`;
