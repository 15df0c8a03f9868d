// The LMS side of `npm start`: a local LTI 1.3 platform emulator (scripts/lti-emulator) with a
// course (the demo teacher as its instructor, four learners), registered in Exam Hall as a
// platform; the course links a published exam, so "Open as <learner>" on the LMS course page
// signs the learner in through LTI and opens it. The emulator listens on DEMO_LTI_PORT (7301),
// or any free port when that one is taken.
import type { Config } from '../../server/src/config/config.ts';
import type { Db } from '../../server/src/db/client.ts';
import { LTI_DEMO_EXAM_TITLE, seedDemoLti } from '../../server/src/demo/demo-lti.seed.ts';
import { startLtiEmulator, type LtiEmulator } from '../lti-emulator/emulator.ts';

const CONTEXT = { id: 'chem-101', title: 'Chemistry 101', label: 'CHEM101' };
const INSTRUCTOR = 'lms-instructor-1';
const LEARNERS = [
  { id: 'lms-learner-1', name: 'Lena Learner', email: 'lena@lms.demo.examhall.test' },
  { id: 'lms-learner-2', name: 'Leo Learner', email: 'leo@lms.demo.examhall.test' },
  { id: 'lms-learner-3', name: 'Lia Learner', email: 'lia@lms.demo.examhall.test' },
  // An LMS may withhold the email: this one gets a placeholder address in Exam Hall.
  { id: 'lms-learner-4', name: 'Luc Learner' },
];

async function listen(port: number, toolUrl: string): Promise<LtiEmulator> {
  try {
    return await startLtiEmulator({ port, toolUrl, controlRoutes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw err;
    return startLtiEmulator({ port: 0, toolUrl, controlRoutes: true });
  }
}

export interface DemoLms {
  emulator: LtiEmulator;
  courseUrl: string;
  gradebookUrl: string;
}

export async function startDemoLms(o: {
  db: Db;
  config: Config;
  adminEmail: string;
  teacherEmail: string;
  teacherName: string;
  env: NodeJS.ProcessEnv;
}): Promise<DemoLms> {
  const port = Number(o.env.DEMO_LTI_PORT ?? '7301');
  const emulator = await listen(Number.isInteger(port) && port >= 0 ? port : 7301, o.config.http.publicUrl);
  try {
    const course = emulator.createCourse(CONTEXT);
    emulator.addMember(course.id, { id: INSTRUCTOR, name: o.teacherName, email: o.teacherEmail }, 'instructor');
    for (const l of LEARNERS) emulator.addMember(course.id, l, 'learner');
    const seeded = await seedDemoLti(o.db, o.config, {
      adminEmail: o.adminEmail,
      teacherEmail: o.teacherEmail,
      platform: {
        issuer: emulator.issuer,
        clientId: emulator.clientId,
        deploymentId: emulator.deploymentId,
        authLoginUrl: emulator.authLoginUrl,
        accessTokenUrl: emulator.accessTokenUrl,
        jwksUrl: emulator.jwksUrl,
        context: {
          id: course.id,
          title: course.title,
          membershipsUrl: `${emulator.url}/api/courses/${course.id}/memberships`,
          lineItemsUrl: `${emulator.url}/api/courses/${course.id}/lineitems`,
        },
        instructorSub: INSTRUCTOR,
      },
    });
    // Stable ids: Exam Hall keeps the resource link and line item of earlier starts.
    emulator.addResourceLink(course.id, {
      id: 'rl-demo-quiz',
      title: LTI_DEMO_EXAM_TITLE,
      url: `${o.config.http.publicUrl}/lti/launch?exam=${seeded.examId}`,
      custom: { exam_id: seeded.examId },
      lineItem: { id: 'li-demo-quiz', label: LTI_DEMO_EXAM_TITLE, scoreMaximum: 100, resourceId: seeded.examId },
    });
    return {
      emulator,
      courseUrl: `${emulator.url}/course/${course.id}`,
      gradebookUrl: `${emulator.url}/course/${course.id}/gradebook`,
    };
  } catch (err) {
    await emulator.stop();
    throw err;
  }
}
