import type { Role } from '@exam-hall/protocol';

/** `link` names a page that exists; without one the landing page marks the step "Coming soon". */
export type NextStep = { title: string; description: string; link?: 'teach' | 'start' | 'hall' | 'certificates' };

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  teacher: 'Teacher',
  proctor: 'Proctor',
  student: 'Student',
};

export const nextSteps: Record<Role, NextStep[]> = {
  admin: [
    { title: 'Courses and exams', description: 'Build exams, invite participants and share codes.', link: 'teach' },
    { title: 'Live hall', description: 'Watch any exam in progress and act on alerts.', link: 'hall' },
    { title: 'Users', description: 'Invite people, change roles and suspend accounts.' },
    { title: 'Audit log', description: 'See who did what, and when.' },
  ],
  teacher: [
    {
      title: 'Courses and exams',
      description: 'Build exams and their questions, invite participants and share access codes.',
      link: 'teach',
    },
    { title: 'Live hall', description: 'Watch your exams in progress and act on alerts.', link: 'hall' },
    { title: 'Attendance', description: 'See who attended, in the hall and on Zoom.' },
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
