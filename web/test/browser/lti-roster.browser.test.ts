// NRPS in a real browser: a learner who joins the LMS course later is brought into the Exam Hall
// course by "Sync roster from the LMS" on the course page (the emulator pages the memberships two
// at a time, so the sync follows Link rel="next"), and shows the result even when the sync
// finished before the page first asked how it went.
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
    // The page's first read of the sync's state comes only once the sync has finished (a quick
    // job beats the page's read): the page must still show this sync's result, not wait for
    // a "running" it never sees. Every read reaches the real server.
    await teacher.route('**/api/courses/*/lti-roster', async (route) => {
      for (;;) {
        const res = await route.fetch();
        const body = (await res.json()) as { contexts: { state: string }[] };
        if (!body.contexts.some((c) => c.state === 'running')) return route.fulfill({ response: res, json: body });
        await new Promise((r) => setTimeout(r, 200));
      }
    });
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
