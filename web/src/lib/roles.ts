import type { Role } from '@exam-hall/protocol';

export type NextStep = { title: string; description: string };

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  teacher: 'Teacher',
  proctor: 'Proctor',
  student: 'Student',
};

/** None of these pages exist yet; the landing page says so instead of linking to 404s. */
export const nextSteps: Record<Role, NextStep[]> = {
  admin: [
    { title: 'Users', description: 'Invite people, change roles and suspend accounts.' },
    { title: 'Audit log', description: 'See who did what, and when.' },
  ],
  teacher: [
    { title: 'Courses', description: 'Organise your classes and their participants.' },
    { title: 'Exams', description: 'Build exams, distribute access codes and release results.' },
  ],
  proctor: [{ title: 'Live hall', description: 'Watch exams in progress and act on alerts.' }],
  student: [
    { title: 'My exams', description: 'Start an exam with your access code and see your results.' },
    { title: 'Certificates', description: 'Share certificates anyone can verify.' },
  ],
};
