// A school's first day, from an empty database with only BOOTSTRAP_ADMIN_*: the admin
// invites a teacher and a proctor; the invitations arrive at a real SMTP server and their
// links are followed in Chromium; the teacher creates a course, enrols two students and
// the proctor from a CSV roster and publishes an exam the proctor starts; the proctor
// opens the hall, sees the students start from the lobby, and messages everyone.
// The system is a real server process of its own (its own database, Redis prefix and
// mail server); the test reads the database only to assert.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServerProcess, type ServerProcess } from '../../../server/test/support/processes.ts';
import { startMailCatcher } from '../../../server/test/support/mail-catcher.ts';
import { launchBrowser } from './chromium.ts';

const sharedDatabaseUrl = inject('databaseUrl');
const ADMIN = { email: 'head@school.example', password: 'first-day-Admin-pw-2026', name: 'Head Administrator' };
const TEACHER = { email: 'tess.teacher@school.example', name: 'Tess Teacher', password: 'tess-Teacher-pw-2026' };
const PROCTOR = { email: 'paul.proctor@school.example', name: 'Paul Proctor', password: 'paul-Proctor-pw-2026' };
const STUDENTS = [
  { email: 'ana.lima@pupils.example', name: 'Ana Lima' },
  { email: 'bo.berg@pupils.example', name: 'Bo Berg' },
];
const COURSE = 'Year 9 Physics';
const EXAM = 'Forces and motion: first quiz';
const QUESTION = 'Which unit measures force?';

function databaseUrlNamed(name: string): string {
  const u = new URL(sharedDatabaseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

describe('a school on its first day', { timeout: 240_000 }, () => {
  const dbName = `eh_browser_day1_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrlNamed('postgres') });
  let db: pg.Client;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let server: ServerProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    mail = await startMailCatcher();
    server = await startServerProcess({
      DATABASE_URL: databaseUrlNamed(dbName),
      REDIS_PREFIX: `d1${randomBytes(4).toString('hex')}`,
      SERVE_WEB: 'true',
      SMTP_URL: mail.url,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      BOOTSTRAP_ADMIN_NAME: ADMIN.name,
    });
    db = new pg.Client({ connectionString: databaseUrlNamed(dbName) });
    await db.connect();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await db?.end();
    await server?.stop();
    await mail?.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    return context.newPage();
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
  }

  /** Follows the invitation link mailed to `who` and chooses a password; answers the signed-in page. */
  async function acceptInvitation(who: { email: string; name: string; password: string }): Promise<Page> {
    const message = await mail.next(who.email, (m) => m.subject.includes('choose a password'));
    expect(message.text).not.toContain(who.password);
    const link = /https?:\/\/\S+\/account\/invitation#token=[\w-]+/.exec(message.text)?.[0];
    expect(link, `an invitation link in:\n${message.text}`).toBeTruthy();
    expect(link!.startsWith(server.url)).toBe(true);
    expect(message.html).toContain(link!);
    const page = await newPage();
    await page.goto(link!);
    await page.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    await page.getByLabel('Type it again').fill(who.password);
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { name: `Welcome, ${who.name}` }).waitFor();
    return page;
  }

  it('starts with nothing but the bootstrap administrator', async () => {
    const { rows } = await db.query(`select email, role, status from users`);
    expect(rows).toEqual([{ email: ADMIN.email, role: 'admin', status: 'active' }]);
    expect((await db.query(`select count(*)::int as n from courses`)).rows[0].n).toBe(0);
    expect((await db.query(`select count(*)::int as n from exams`)).rows[0].n).toBe(0);
  });

  it('runs the first day: invitations by mail, a course with its roster, the lobby, the hall', async () => {
    // The administrator invites a teacher and a proctor.
    const head = await newPage();
    await signIn(head, ADMIN.email, ADMIN.password);
    await head.getByRole('link', { name: 'Admin', exact: true }).first().click();
    await head.getByRole('heading', { level: 1 }).first().waitFor();
    for (const [who, role] of [
      [TEACHER, 'Teacher'],
      [PROCTOR, 'Proctor'],
    ] as const) {
      await head.goto('/admin/users/new');
      const form = head.getByRole('form', { name: 'Invite one person' });
      await form.getByLabel('Email').fill(who.email);
      await form.getByLabel('Name').fill(who.name);
      await form.getByLabel('Role').selectOption({ label: role });
      await form.getByRole('button', { name: 'Create and invite' }).click();
      await head.getByRole('heading', { name: `Invited ${who.name} (${role})` }).waitFor();
      await head.getByText(`The invitation link was emailed to ${who.email}.`).waitFor();
    }
    await head.goto('/admin/users?status=invited');
    for (const who of [TEACHER, PROCTOR]) await head.getByText(who.email).first().waitFor();

    // The teacher follows the mailed link, then creates the course.
    const teacher = await acceptInvitation(TEACHER);
    await teacher.goto('/teach/courses');
    await teacher.getByLabel('Name').fill(COURSE);
    await teacher.getByRole('button', { name: 'Create course' }).click();
    await teacher.getByRole('link', { name: COURSE }).first().click();
    await teacher.getByRole('heading', { level: 1, name: COURSE }).waitFor();
    const courseId = /\/teach\/courses\/([0-9a-f-]{36})/.exec(teacher.url())![1]!;

    // The roster from a CSV: two students (new to the school) and the invited proctor.
    await teacher.getByRole('link', { name: 'Roster' }).click();
    await teacher.getByRole('heading', { level: 1, name: `Roster: ${COURSE}` }).waitFor();
    const csv = [
      'email,name,role',
      ...STUDENTS.map((s) => `${s.email},${s.name},student`),
      `${PROCTOR.email},,proctor`,
    ].join('\n');
    await teacher.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'year9.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await teacher.getByRole('button', { name: 'Upload and import' }).click();
    const results = teacher.getByRole('heading', { name: /^Import results:/ });
    await results.waitFor();
    expect(await results.textContent()).toContain('3 added');
    expect(await results.textContent()).toContain('The course now has 2 students.');
    const roster = await db.query(
      `select u.email, e.role, e.status from enrollments e join users u on u.id = e.user_id
        where e.course_id = $1 order by u.email`,
      [courseId],
    );
    expect(roster.rows).toEqual(
      [
        { email: STUDENTS[0]!.email, role: 'student', status: 'active' },
        { email: STUDENTS[1]!.email, role: 'student', status: 'active' },
        { email: PROCTOR.email, role: 'proctor', status: 'active' },
      ].sort((a, b) => a.email.localeCompare(b.email)),
    );
    expect((await db.query(`select enrollment_count from courses where id = $1`, [courseId])).rows[0]).toEqual({
      enrollment_count: 2,
    });

    // The exam (building it is covered by the exam tests): started by the proctor, for the course's students.
    const api = teacher.request;
    const created = await api.post('/api/exams', {
      data: { title: EXAM, durationMinutes: 15, availableAnytime: true, courseId, startMode: 'proctor' },
    });
    expect(created.status(), await created.text()).toBe(201);
    const examId: string = (await created.json()).id;
    const q = await api.post(`/api/exams/${examId}/questions`, {
      data: {
        type: 'single_choice',
        prompt: QUESTION,
        content: {
          options: [
            { id: 'a', text: 'Newton' },
            { id: 'b', text: 'Joule' },
          ],
        },
        answerKey: { correct: 'a' },
      },
    });
    expect(q.status(), await q.text()).toBe(201);
    expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
    const codes: string[] = [];
    for (const s of STUDENTS) {
      const res = await api.post(`/api/exams/${examId}/participants`, { data: { email: s.email, name: s.name } });
      expect(res.status(), await res.text()).toBe(201);
      codes.push((await res.json()).code);
    }

    // The proctor follows the mailed link and finds the exam's hall through the course enrolment.
    const proctor = await acceptInvitation(PROCTOR);
    await proctor.goto('/hall');
    await proctor.getByRole('link', { name: EXAM }).first().click();
    await proctor.getByRole('heading', { level: 1, name: EXAM }).waitFor();
    const who = proctor.getByRole('region', { name: 'Who may proctor this exam' });
    await who.getByRole('listitem').filter({ hasText: PROCTOR.name }).waitFor();
    const lobby = proctor.getByRole('region', { name: 'Lobby' });
    await lobby.getByText('0 waiting in the lobby').waitFor();

    // Both students enter with their codes and wait in the lobby.
    const students: Page[] = [];
    for (const [i, s] of STUDENTS.entries()) {
      const page = await newPage();
      await page.goto(`/start?email=${encodeURIComponent(s.email)}`);
      await page.getByLabel('Access code').fill(codes[i]!);
      await page.getByRole('button', { name: 'Enter the exam' }).click();
      await page.getByRole('heading', { level: 1, name: EXAM }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Your proctor will start the exam.' }).waitFor();
      students.push(page);
    }
    await lobby.getByText('2 waiting in the lobby').waitFor();
    expect((await db.query(`select count(*)::int as n from attempts where started_at is not null`)).rows[0].n).toBe(0);

    // The proctor opens the hall: both lobbies start together.
    await lobby.getByRole('button', { name: 'Open the hall' }).click();
    const dialog = proctor.getByRole('dialog', { name: 'Open the hall?' });
    await dialog.getByRole('button', { name: 'Open the hall and start' }).click();
    for (const page of students) await page.getByRole('group', { name: QUESTION }).waitFor();
    const participants = proctor.getByRole('table', { name: /^Participants/ });
    for (const s of STUDENTS) {
      await participants
        .getByRole('row')
        .filter({ has: proctor.getByRole('rowheader', { name: new RegExp(s.name) }) })
        .getByRole('cell', { name: 'In progress' })
        .waitFor();
    }
    const started = await db.query(`select count(*)::int as n from attempts where status = 'in_progress'`);
    expect(started.rows[0].n).toBe(2);

    // The proctor messages everyone, and both students see it.
    const everyone = proctor.getByRole('region', { name: 'Everyone' });
    await everyone.getByLabel('Message to everyone').fill('Good luck, everyone. Phones away, please.');
    await everyone.getByRole('button', { name: 'Send to everyone' }).click();
    await proctor.getByRole('status').filter({ hasText: 'Message sent to 2 students.' }).waitFor();
    for (const page of students) {
      await page
        .getByRole('log', { name: 'Messages from the proctor' })
        .getByText('Good luck, everyone. Phones away, please.')
        .waitFor();
    }

    // Every step left its audit row, attributed to the person who took it.
    const audit = await db.query(
      `select a.action, u.email from audit_logs a left join users u on u.id = a.actor_id order by a.id`,
    );
    const did = (email: string, action: string) =>
      audit.rows.some((r: { action: string; email: string | null }) => r.email === email && r.action === action);
    expect(audit.rows.filter((r: { action: string }) => r.action.startsWith('user.')).length).toBeGreaterThanOrEqual(2);
    expect(did(TEACHER.email, 'course.created'), JSON.stringify(audit.rows)).toBe(true);
  });
});
