// The npm start LMS demo (scripts/demo/lti-demo.ts): the emulator's course is registered as a
// platform through the platform service, and "Open as <learner>" on its course page works: the
// full OIDC launch signs the learner in and the demo exam is theirs to take. A second start (the
// emulator on another port, a new platform key) updates the one demo registration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { LTI_DEMO_EXAM_TITLE, LTI_DEMO_PLATFORM } from '../../src/demo/demo-lti.seed.ts';
import { ltiPlatforms } from '../../src/db/schema/index.ts';
import { startDemoLms, type DemoLms } from '../../../scripts/demo/lti-demo.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

let t: TestSystem;
const started: DemoLms[] = [];

beforeAll(async () => {
  t = await startTestSystem();
  await seedDemo(t.system.db);
});
afterAll(async () => {
  for (const lms of started) await lms.emulator.stop();
  await t?.close();
});

const account = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

async function startDemo(): Promise<DemoLms> {
  const lms = await startDemoLms({
    db: t.system.db,
    config: t.system.config,
    env: { DEMO_LTI_PORT: '0' },
    adminEmail: account('admin').email,
    teacherEmail: account('teacher').email,
    teacherName: account('teacher').name,
  });
  started.push(lms);
  // The test server listens on a port of its own, not on its public URL: the LMS fetches its key set there.
  lms.emulator.setTool({ jwksUrl: `${t.url}/lti/jwks` });
  return lms;
}

/** What the browser does after "Open as <person>": login initiation, OIDC auth, the form post. */
async function openAs(lms: DemoLms, person: string): Promise<Response> {
  const publicUrl = t.system.config.http.publicUrl;
  const toTest = (u: string) => u.replace(publicUrl, t.url);
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const course = await (await fetch(lms.courseUrl)).text();
  const link = /name="link" value="([^"]+)"/.exec(course)![1]!;
  let res = await fetch(`${lms.emulator.url}/launch`, {
    method: 'POST',
    headers: form,
    body: new URLSearchParams({ context: 'chem-101', kind: 'resource', link, person }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  res = await fetch(toTest(res.headers.get('location')!), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const auth = await fetch(res.headers.get('location')!, { redirect: 'manual' });
  const page = await auth.text();
  expect(auth.status).toBe(200);
  const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(page)![1]!.replaceAll('&amp;', '&');
  expect(/action="([^"]+)"/.exec(page)![1]).toBe(`${publicUrl}/lti/launch`);
  return fetch(`${t.url}/lti/launch`, {
    method: 'POST',
    headers: form,
    body: new URLSearchParams({ id_token: field('id_token'), state: field('state') }),
    redirect: 'manual',
  });
}

describe('npm start LMS demo', () => {
  it('registers the emulator and lets a learner open the demo exam from the LMS course, on every start', async () => {
    for (let round = 1; round <= 2; round++) {
      const lms = await startDemo();
      const platforms = await t.system.db.select().from(ltiPlatforms);
      expect(platforms.filter((p) => p.name === LTI_DEMO_PLATFORM)).toMatchObject([
        { issuer: lms.emulator.issuer, jwksUrl: lms.emulator.jwksUrl, active: true },
      ]);
      const course = await (await fetch(lms.courseUrl)).text();
      expect(course).toContain(LTI_DEMO_EXAM_TITLE);
      expect(course).toContain('Open as Lena Learner');

      const launched = await openAs(lms, 'lms-learner-1');
      expect(launched.status).toBe(303);
      const cookie = launched.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const mine = (await (await fetch(`${t.url}/api/my/exams`, { headers: { cookie } })).json()) as {
        exams: Array<{ title: string }>;
      };
      expect(mine.exams.map((e) => e.title)).toContain(LTI_DEMO_EXAM_TITLE);
    }
  });
});
