import type { Role } from '@exam-hall/protocol';

/** `link` names a page that exists: the home page shows only what can be opened, never "Coming soon". */
export type NextStep = {
  title: string;
  description: string;
  link: 'teach' | 'attendance' | 'start' | 'hall' | 'certificates' | 'users' | 'audit';
};

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  teacher: 'Teacher',
  proctor: 'Proctor',
  student: 'Student',
};

export const nextSteps: Record<Role, NextStep[]> = {
  admin: [
    {
      title: 'Users',
      description: 'Invite teachers, proctors and students, change roles, suspend accounts, issue reset links.',
      link: 'users',
    },
    { title: 'Audit log', description: 'Who changed what, and when: filter it and download it as CSV.', link: 'audit' },
    { title: 'Courses and exams', description: 'Build exams, invite participants and share codes.', link: 'teach' },
    { title: 'Live hall', description: 'Watch any exam in progress and act on alerts.', link: 'hall' },
    {
      title: 'Attendance',
      description: 'Open a course’s class sessions on Zoom to see who attended, in the hall and on Zoom.',
      link: 'attendance',
    },
  ],
  teacher: [
    {
      title: 'Courses and exams',
      description: 'Build exams and their questions, invite participants and share access codes.',
      link: 'teach',
    },
    { title: 'Live hall', description: 'Watch your exams in progress and act on alerts.', link: 'hall' },
    {
      title: 'Attendance',
      description: 'Open a course’s class sessions on Zoom to see who attended, in the hall and on Zoom.',
      link: 'attendance',
    },
  ],
  proctor: [{ title: 'Live hall', description: 'Watch exams in progress and act on alerts.', link: 'hall' }],
  student: [
    {
      title: 'Start with a code',
      description: 'Have an access code from your teacher? Start the exam with it.',
      link: 'start',
    },
    { title: 'Certificates', description: 'Share certificates anyone can verify.', link: 'certificates' },
  ],
};
