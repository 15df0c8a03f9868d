// The LMS side of the demo: the local LTI platform emulator registered as a platform
// (through the platform service, as an admin would on /admin/lti), and a course of the demo
// teacher with a published exam that the emulated LMS course links to. The LMS instructor
// is linked to the demo teacher and the LMS course to that course, as the demo teacher's
// first launch from the LMS would have done, so learners can open the exam straight away.
import { and, eq } from 'drizzle-orm';
import { courseInputSchema, ltiPlatformInputSchema } from '@exam-hall/protocol';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/client.ts';
import { courses } from '../db/schema/index.ts';
import { createKeyStore } from '../modules/keys/keys.service.ts';
import { createLtiPlatformService, LTI_TOOL_SCOPES } from '../modules/lti/lti.platforms.service.ts';
import * as ltiRepo from '../modules/lti/lti.repository.ts';
import { demoCaller, demoServices } from './demo-services.ts';
import { ensureDemoExam } from './demo-exams.seed.ts';

export const LTI_DEMO_PLATFORM = 'LMS emulator (demo)';
export const LTI_DEMO_COURSE = 'Chemistry 101 (from the LMS)';
export const LTI_DEMO_EXAM_TITLE = 'Chemistry 101: quiz opened from the LMS';

export interface DemoLtiPlatform {
  issuer: string;
  clientId: string;
  deploymentId: string;
  authLoginUrl: string;
  accessTokenUrl: string;
  jwksUrl: string;
  /** The LMS course (LTI context) and its service URLs. */
  context: { id: string; title: string; membershipsUrl: string; lineItemsUrl: string };
  /** The LMS `sub` of the course's instructor (the demo teacher). */
  instructorSub: string;
}

export async function seedDemoLti(
  db: Db,
  config: Pick<Config, 'secret' | 'http'>,
  o: { adminEmail: string; teacherEmail: string; platform: DemoLtiPlatform },
): Promise<{ platformId: string; courseId: string; examId: string }> {
  const { secret } = config;
  const { platform: p } = o;
  const platforms = createLtiPlatformService({
    db,
    secret,
    keys: createKeyStore({ db, secret }),
    publicUrl: config.http.publicUrl,
  });
  const admin = await demoCaller(db, o.adminEmail);
  // The emulator may listen on another port than last time: the demo registration follows it.
  const input = ltiPlatformInputSchema.parse({
    name: LTI_DEMO_PLATFORM,
    issuer: p.issuer,
    clientId: p.clientId,
    deploymentIds: [p.deploymentId],
    authLoginUrl: p.authLoginUrl,
    accessTokenUrl: p.accessTokenUrl,
    jwksUrl: p.jwksUrl,
  });
  const existing = (await platforms.list(admin)).platforms.find((x) => x.name === LTI_DEMO_PLATFORM);
  const registered = existing
    ? await platforms.update(admin, existing.id, input)
    : await platforms.create(admin, input);
  if (!registered.active) await platforms.activate(admin, registered.id);

  const teacher = await demoCaller(db, o.teacherEmail);
  const found = await db.query.courses.findFirst({
    where: and(eq(courses.teacherId, teacher.actor.userId), eq(courses.name, LTI_DEMO_COURSE)),
  });
  const course =
    found ??
    (await demoServices(db, secret).courses.create(
      teacher,
      courseInputSchema.parse({
        name: LTI_DEMO_COURSE,
        subject: 'Chemistry',
        level: 'beginner',
        description: 'A course of the LMS emulator: its learners arrive from the LMS.',
      }),
    ));
  const exam = await ensureDemoExam(db, secret, { caller: teacher, courseId: course.id }, LTI_DEMO_EXAM_TITLE);

  // What the demo teacher's first launch from the LMS course would have stored.
  await db.transaction(async (tx) => {
    await ltiRepo.linkLtiUser(tx, registered.id, p.instructorSub, teacher.actor.userId);
    const context = await ltiRepo.upsertContextServices(tx, {
      platformId: registered.id,
      deploymentId: p.deploymentId,
      contextId: p.context.id,
      title: p.context.title,
      membershipsUrl: p.context.membershipsUrl,
      lineItemsUrl: p.context.lineItemsUrl,
      agsScopes: LTI_TOOL_SCOPES.filter((s) => s.includes('lti-ags')),
    });
    await ltiRepo.linkContextCourse(tx, context.id, course.id);
  });
  return { platformId: registered.id, courseId: course.id, examId: exam.id };
}
