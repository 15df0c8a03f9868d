// Exam Hall in an LMS, end to end in a real browser against the LTI 1.3 platform emulator
// (scripts/lti-emulator): an instructor deep-links an exam into the emulated course; a learner
// opens it from the LMS (signed in through LTI), takes it and passes; the score lands in the
// emulator's gradebook through AGS; a push the LMS refuses shows as not sent to the teacher and
// goes through on Resend. (The roster sync is lti-roster.browser.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { publishedExam, THREE_QUESTIONS } from './seed.ts';
import { courseIdOf, openPicker, seriousViolations, startLms, until } from './lti-support.ts';

describe('LMS gradebook (Deep Linking + AGS)', { timeout: 90_000 }, () => {
  let lms: Awaited<ReturnType<typeof startLms>>;
  let exam = '';
  beforeAll(async () => {
    lms = await startLms([
      { key: 'ines', role: 'instructor', name: 'Ines Instructor' },
      { key: 'lena', role: 'learner', name: 'Lena Learner' },
      { key: 'leo', role: 'learner', name: 'Leo Learner' },
    ]);
    exam = `Cells quiz ${lms.tag}`;
  });
  afterAll(async () => {
    await lms?.close();
  });

  /** A learner opens the activity on the LMS course page, takes the exam with the right answers, and submits. */
  async function learnerPasses(name: string): Promise<Page> {
    const page = await lms.newPage();
    await page.goto(`${lms.emulator.url}/course/${lms.course.id}`);
    await page
      .getByRole('region', { name: exam })
      .getByRole('button', { name: `Open as ${name}` })
      .click();
    // Signed in through LTI (no password) and taken straight into the linked exam's lobby.
    await page.getByRole('button', { name: 'Start exam' }).click();
    expect(new URL(page.url()).pathname).toMatch(/^\/attempts\//);
    await page.getByRole('button', { name: 'Show all questions on one page' }).click();
    for (const [prompt, options] of THREE_QUESTIONS) {
      await page.getByRole('group', { name: prompt }).getByRole('radio', { name: options[1], exact: true }).check();
    }
    await page.getByRole('button', { name: 'Submit exam' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit exam' }).click();
    await page.getByText('Passed', { exact: true }).waitFor({ timeout: 30_000 });
    return page;
  }

  const scoreOf = (key: string, lineItemId: string) =>
    lms.emulator.gradebook(lms.course.id).rows.find((r) => r.personId === lms.people[key]!.id)?.scores[lineItemId];

  it('deep-links an exam, a learner passes, the score reaches the gradebook; a refused push is resent', async () => {
    const { lena, leo } = lms.people as Record<'lena' | 'leo', { id: string; name: string }>;
    // The instructor's "Add an Exam Hall activity" signs them in (a new teacher account and a
    // course for the LMS course); they write an exam there, then pick it.
    const teacher = await lms.newPage();
    await openPicker(lms, teacher);
    const courseId = await courseIdOf(lms, teacher);
    const examId = await publishedExam(
      teacher.request,
      { title: exam, courseId, resultsPolicy: 'immediately', passingScore: 50 },
      THREE_QUESTIONS,
    );
    await teacher.reload();
    const choice = teacher.getByRole('radio', { name: new RegExp(exam) });
    expect(await seriousViolations(teacher, (p) => p.getByRole('radio', { name: new RegExp(exam) }).waitFor())).toEqual(
      [],
    );
    await choice.check();
    await teacher.getByRole('button', { name: 'Place this exam' }).click();
    // Back in the LMS: the signed Deep Linking response made the activity and its gradebook column.
    await teacher.getByRole('heading', { name: 'Activity added' }).waitFor();
    await teacher.getByRole('link', { name: 'Back to the course' }).click();
    await teacher.getByRole('region', { name: exam }).waitFor();
    const column = lms.emulator.gradebook(lms.course.id).columns.find((c) => c.label === exam)!;
    expect(column).toMatchObject({ scoreMaximum: 3 });

    // Lena passes; her score reaches the LMS gradebook through AGS.
    await learnerPasses(lena.name);
    await until("Lena's score in the LMS gradebook", () => scoreOf('lena', column.lineItemId) !== undefined);
    expect(scoreOf('lena', column.lineItemId)).toMatchObject({
      scoreGiven: 3,
      scoreMaximum: 3,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    });
    // The LMS's own gradebook page shows it.
    await teacher.goto(`${lms.emulator.url}/course/${lms.course.id}/gradebook`);
    await teacher
      .getByRole('row', { name: new RegExp(lena.name) })
      .getByText('3 / 3')
      .waitFor();

    // The LMS refuses Leo's push (422, not worth retrying): the teacher sees it as not sent.
    lms.emulator.failNextScores(1, 422);
    await learnerPasses(leo.name);
    await teacher.goto(`/teach/exams/${examId}/results`);
    const panel = teacher.getByRole('region', { name: 'Gradebook (LMS)' });
    const leoRow = panel.getByRole('row', { name: new RegExp(leo.name) });
    await until(
      "Leo's push shown as not sent",
      async () => (await leoRow.getByText('Not sent').count()) > 0,
      () => panel.getByRole('button', { name: 'Refresh' }).click(),
    );
    expect(await leoRow.getByText(/422/).count()).toBe(1);
    expect(
      await panel
        .getByRole('row', { name: new RegExp(lena.name) })
        .getByText('In the LMS gradebook')
        .count(),
    ).toBe(1);
    expect(scoreOf('leo', column.lineItemId)).toBeUndefined();
    expect(await seriousViolations(teacher, (p) => p.getByText('Not sent', { exact: true }).first().waitFor())).toEqual(
      [],
    );

    // Resend: the LMS takes it now.
    await panel.getByRole('button', { name: `Resend the score of ${leo.name}` }).click();
    await until(
      "Leo's resent push",
      async () => (await leoRow.getByText('In the LMS gradebook').count()) > 0,
      () => panel.getByRole('button', { name: 'Refresh' }).click(),
    );
    expect(scoreOf('leo', column.lineItemId)).toMatchObject({ scoreGiven: 3, scoreMaximum: 3 });
    expect(
      lms.emulator
        .scoreLog()
        .filter((l) => l.userId === leo.id)
        .map((l) => l.status),
    ).toEqual([422, 200]);
  });
});
