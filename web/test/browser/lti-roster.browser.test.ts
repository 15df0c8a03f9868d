// NRPS in a real browser: a learner who joins the LMS course later is brought into the Exam Hall
// course by "Sync roster from the LMS" on the course page (the emulator pages the memberships two
// at a time, so the sync follows Link rel="next").
import { afterAll, beforeAll, describe, it } from 'vitest';
import { courseIdOf, openPicker, startLms, type Lms } from './lti-support.ts';

describe('LMS roster sync (NRPS)', { timeout: 60_000 }, () => {
  let lms: Awaited<ReturnType<typeof startLms>>;
  beforeAll(async () => {
    lms = await startLms(
      [
        { key: 'ines', role: 'instructor', name: 'Ines Instructor' },
        { key: 'lena', role: 'learner', name: 'Lena Learner' },
        { key: 'leo', role: 'learner', name: 'Leo Learner' },
      ],
      { membershipPageSize: 2 },
    );
  });
  afterAll(async () => {
    await lms?.close();
  });

  it('brings a new LMS member into the course with "Sync roster from the LMS"', async () => {
    // The instructor's first launch links the LMS course to a new Exam Hall course.
    const teacher = await lms.newPage();
    await openPicker(lms as Lms, teacher);
    const courseId = await courseIdOf(lms, teacher);
    const lou = lms.emulator.addMember(
      lms.course.id,
      { id: `lou-${lms.tag}`, name: `Lou Latecomer ${lms.tag}`, email: `lou-${lms.tag}@lms.example` },
      'learner',
    );
    await teacher.goto(`/teach/courses/${courseId}`);
    const roster = teacher.getByRole('region', { name: 'LMS roster' });
    await roster.getByRole('button', { name: 'Sync roster from the LMS' }).click();
    await roster
      .getByRole('status')
      .filter({ hasText: /Synced from .*added, \d+ updated, 0 dropped, of 4 members in the LMS\./ })
      .waitFor({
        timeout: 30_000,
      });
    await teacher.goto(`/teach/courses/${courseId}/roster`);
    await teacher.getByText(lou.name).first().waitFor();
  });
});
