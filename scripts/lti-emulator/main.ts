// CLI: node scripts/lti-emulator/main.ts [--port 7301] [--host 127.0.0.1] [--tool-url http://127.0.0.1:3000]
//   [--client-id exam-hall-tool] [--deployment-id deployment-1] [--course "Course title"]
// Starts the platform with one course (an instructor and three learners) and the dev control
// routes, and prints what to register in Exam Hall (Admin > LTI). Logs one line per request.
import { parseArgs } from 'node:util';
import { startLtiEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7301' },
    host: { type: 'string', default: '127.0.0.1' },
    'tool-url': { type: 'string', default: 'http://127.0.0.1:3000' },
    'client-id': { type: 'string', default: 'exam-hall-tool' },
    'deployment-id': { type: 'string', default: 'deployment-1' },
    course: { type: 'string', default: 'Chemistry 101' },
  },
});

const emulator = await startLtiEmulator({
  port: Number(values.port),
  host: values.host,
  clientId: values['client-id'],
  deploymentId: values['deployment-id'],
  toolUrl: values['tool-url'],
  controlRoutes: true,
  onRequest: (line) => console.log(`${new Date().toISOString()} ${line}`),
});
const course = emulator.createCourse({ id: 'chem-101', title: values.course, label: 'CHEM101' });
emulator.addMember(
  course.id,
  { id: 'instructor-1', name: 'Irene Instructor', email: 'irene@lms.example' },
  'instructor',
);
emulator.addMember(course.id, { id: 'learner-1', name: 'Lena Learner', email: 'lena@lms.example' }, 'learner');
emulator.addMember(course.id, { id: 'learner-2', name: 'Leo Learner', email: 'leo@lms.example' }, 'learner');
emulator.addMember(course.id, { id: 'learner-3', name: 'Lia Learner' }, 'learner');

console.log(`LTI platform emulator on ${emulator.url}
  Register in Exam Hall (Admin > LTI):
    Issuer               ${emulator.issuer}
    Client ID            ${emulator.clientId}
    Deployment ID        ${emulator.deploymentId}
    Authentication URL   ${emulator.authLoginUrl}
    Access token URL     ${emulator.accessTokenUrl}
    Key set (JWKS) URL   ${emulator.jwksUrl}
  Tool registered at     ${values['tool-url']} (/lti/login, /lti/launch, /lti/jwks)
  Course                 ${emulator.url}/course/${course.id}
  Dev controls           GET /_emulator/state, POST /_emulator/courses/{id}/members, POST /_emulator/faults/scores,
                         GET /_emulator/courses/{id}/gradebook, GET /_emulator/score-log`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
