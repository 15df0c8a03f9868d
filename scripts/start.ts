// `npm start` after the bootstrap: migrate, load demo data, build the web app if
// it changed, run the whole system, and say where to go and how to sign in.
import { fileURLToPath } from 'node:url';
import { loadConfig, ConfigError } from '../server/src/config/config.ts';
import { createDb } from '../server/src/db/client.ts';
import { runMigrations } from '../server/src/db/migrate.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../server/src/demo/demo.seed.ts';
import {
  DEMO_EXAM_TITLE,
  seedDemoCoTeacher,
  seedDemoExams,
  type DemoInvite,
} from '../server/src/demo/demo-exams.seed.ts';
import { run } from '../server/src/main.ts';
import { ensureWebBuild } from './lib/web-build.ts';
import { LIVE_DEMO_TITLE, startHallSimulator } from './demo/hall-simulator.ts';
import { ensureLocalContract, reissueLocalCertificates } from './lib/local-chain.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../server/src/demo/demo-certificate.seed.ts';
import { seedDemoBanks } from '../server/src/demo/demo-banks.seed.ts';
import { seedDemoTypes } from '../server/src/demo/demo-types.seed.ts';
import { DEMO_CODE_EXAM_TITLE, DEMO_EXAM_CODE, seedDemoSettings } from '../server/src/demo/demo-settings.seed.ts';
import { seedDemoAccommodations } from '../server/src/demo/demo-accommodations.seed.ts';
import { seedDemoGrading } from '../server/src/demo/demo-grading.seed.ts';
import { seedDemoReview } from '../server/src/demo/demo-review.seed.ts';
import { DEMO_CAMERA_EXAM_TITLE, seedDemoCamera, seedDemoCameraAttempt } from '../server/src/demo/demo-camera.seed.ts';
import { seedDemoPeople } from '../server/src/demo/demo-people.seed.ts';
import { seedDemoNote } from '../server/src/demo/demo-services.ts';
import { startDemoClass, startDemoZoom, ZOOM_DEMO_TOPIC } from './demo/zoom-demo.ts';
import { startDemoLms } from './demo/lti-demo.ts';
import { LTI_DEMO_EXAM_TITLE } from '../server/src/demo/demo-lti.seed.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
// The embedded chain (bootstrap started a Hardhat node): deploy the contract on it.
let localChain: Awaited<ReturnType<typeof ensureLocalContract>> | undefined;
if (process.env.EXAM_HALL_LOCAL_CHAIN === '1' && !process.env.CERTIFICATE_CONTRACT_ADDRESS) {
  localChain = await ensureLocalContract(process.env.CHAIN_RPC_URL!);
  process.env.CERTIFICATE_CONTRACT_ADDRESS = localChain.deployment.address;
}
// No Zoom app configured: the demo runs a local Zoom emulator in its place.
const demoZoom =
  !process.env.ZOOM_ACCOUNT_ID && process.env.DEMO_DATA !== 'false' && process.env.DEMO_ZOOM !== 'false'
    ? await startDemoZoom(process.env)
    : undefined;
let config;
try {
  config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(78);
  }
  throw e;
}

ensureWebBuild(root);
const { db, pool } = createDb(config.database.url, 2);
await runMigrations(db);
if (localChain?.fresh) {
  const n = await reissueLocalCertificates(config.database.url);
  if (n) console.log(`  The local chain is new: ${n} certificate(s) of the previous one are being issued again.`);
}
const demo = process.env.DEMO_DATA === 'false' ? undefined : await seedDemo(db);
const teacherEmail = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.email;
const studentEmail = DEMO_ACCOUNTS.find((a) => a.role === 'student')!.email;
const demoExam = demo ? await seedDemoExams(db, config.secret, teacherEmail, studentEmail) : undefined;
const demoCertificate = demo
  ? await seedDemoCertificate(db, {
      secret: config.secret,
      teacherEmail,
      studentEmail,
      institutionName: config.institutionName,
    })
  : null;
// A proctor's private note on the demo student's attempt (the hall's student panel shows it).
if (demo) await seedDemoNote(db, config.secret, teacherEmail, CERTIFICATE_DEMO_TITLE);
// More people for the admin console (/admin/users): every role, a pending invitation, a suspended account.
if (demo) await seedDemoPeople(db, config, DEMO_ACCOUNTS.find((a) => a.role === 'admin')!.email);
// Extra time for the demo student and the first of the class (participants page, lobby, hall).
if (demoExam) await seedDemoAccommodations(db, config.secret, teacherEmail, demoExam.examId, studentEmail);
// One of those teachers co-teaches the demo course (enrolled through the course service).
if (demo) await seedDemoCoTeacher(db, config.secret, teacherEmail);
// A question bank in the demo course and an exam drawing from it (the demo student is invited).
if (demo) await seedDemoBanks(db, config.secret, teacherEmail, studentEmail);
// An exam with one question of each newer type (short answer, numeric, matching, ordering, gaps, essay).
if (demo) await seedDemoTypes(db, config.secret, teacherEmail, studentEmail);
// An exam of the demo course its students join with the exam code CHEM2026 (strict mode, blind grading).
if (demo) await seedDemoSettings(db, config.secret, teacherEmail);
// Essays waiting in a grading queue, and one already marked by hand with feedback.
if (demo) await seedDemoGrading(db, config.secret, teacherEmail, studentEmail);
// Proctoring review: one attempt waiting for a decision, one flagged with a note (the exam's Review tab).
if (demo) await seedDemoReview(db, config.secret, teacherEmail);
// Camera proctoring: a presence-mode exam that keeps evidence frames (the demo student is invited),
// and a class-mate mid-exam with camera alerts (one with its evidence frame) for the hall.
const demoCamera = demo ? await seedDemoCamera(db, config.secret, teacherEmail, studentEmail) : undefined;
if (demoCamera) await seedDemoCameraAttempt(db, config.secret, config.evidence, demoCamera.examId);
// The LMS demo: a local LTI 1.3 platform emulator whose course links an exam. Nothing LTI may stop npm start.
let lmsProblem: string | undefined;
const demoLms =
  demo && process.env.DEMO_LTI !== 'false'
    ? await startDemoLms({
        db,
        config,
        env: process.env,
        adminEmail: DEMO_ACCOUNTS.find((a) => a.role === 'admin')!.email,
        teacherEmail,
        teacherName: DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.name,
      }).catch((err: unknown) => {
        lmsProblem = err instanceof Error ? err.message : String(err);
        return undefined;
      })
    : undefined;
await pool.end();

function inviteTable(invites: DemoInvite[]): string {
  const cells = invites.map(
    (i) => `${i.email.split('@')[0]!.padEnd(10)} ${i.status === 'unused' ? i.code : `(${i.status})`.padEnd(14)}`,
  );
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 3) lines.push(`    ${cells.slice(i, i + 3).join('   ')}`);
  return lines.join('\n');
}

let stopSimulator: (() => void) | undefined;
let stopClass: (() => void) | undefined;
const { url } = await run(config, {
  beforeShutdown: () => {
    stopSimulator?.();
    stopClass?.();
    void demoZoom?.stop();
    void demoLms?.emulator.stop();
  },
});
const simulator =
  demo && process.env.DEMO_SIMULATOR !== 'false'
    ? await (async () => {
        const sim = createDb(config.database.url, 2);
        const started = await startHallSimulator({
          db: sim.db,
          secret: config.secret,
          baseUrl: url!,
          teacherEmail,
          proctorEmail: DEMO_ACCOUNTS.find((a) => a.role === 'proctor')!.email,
        });
        stopSimulator = started.stop;
        return started;
      })()
    : undefined;
const zoomClass =
  demoZoom && simulator
    ? await (async () => {
        const c = createDb(config.database.url, 2);
        const started = await startDemoClass({ db: c.db, config, emulator: demoZoom, baseUrl: url!, teacherEmail });
        stopClass = started?.stop;
        return started;
      })()
    : null;
const width = Math.max(...(demo?.accounts ?? []).map((a) => a.email.length));
console.log(`
  Exam Hall is running: ${config.http.publicUrl}   (listening on ${url})
  API reference:        ${config.http.publicUrl}/api/docs
${demo ? `\n  Demo sign-ins:\n${demo.accounts.map((a) => `    ${a.role.padEnd(8)} ${a.email.padEnd(width)}  ${a.password}`).join('\n')}\n` : ''}
${
  demoExam
    ? `  Demo exam "${DEMO_EXAM_TITLE}": start it at ${config.http.publicUrl}/start with
  email <name>@demo.examhall.test and the code (each code works once):\n${inviteTable(demoExam.invites)}\n`
    : ''
}
${
  demoCertificate
    ? `  Certificate: the demo student passed "${CERTIFICATE_DEMO_TITLE}". Verify it (or scan its QR code) at
    ${config.http.publicUrl}/verify/${demoCertificate.publicId}
  Chain: ${config.chain.rpcUrl} (chain id ${config.chain.chainId}), contract ${config.chain.contractAddress ?? 'not configured'}\n`
    : ''
}
${
  zoomClass
    ? `  Zoom: "${ZOOM_DEMO_TOPIC}" is in progress on the local Zoom emulator (${demoZoom!.url}); its students
  come and go. Live attendance (Zoom + hall): ${config.http.publicUrl}/teach/zoom/${zoomClass.meetingId}\n`
    : ''
}
${
  demo
    ? `  Assessment: as the teacher, see "Chemistry in words" > Grading (essays to mark), the demo course's question
  banks, and "Chemistry quiz: proctoring review demo" > Review. As the student, join "${DEMO_CODE_EXAM_TITLE}"
  with the exam code ${DEMO_EXAM_CODE} on the home page.\n`
    : ''
}${
  demoCamera
    ? `  Camera: as the student, open "${DEMO_CAMERA_EXAM_TITLE}" (consent, camera check; anyone can try
  ${config.http.publicUrl}/camera-check). Its hall, with a student's camera alerts and an evidence frame:
  ${config.http.publicUrl}/hall/${demoCamera.examId}\n`
    : ''
}
${
  demoLms
    ? `  LMS: the local LTI 1.3 platform emulator's course links "${LTI_DEMO_EXAM_TITLE}": click "Open as Lena Learner"
  (signed in through LTI) at ${demoLms.courseUrl}
  ("Add an Exam Hall activity" deep-links another exam as the teacher; gradebook: ${demoLms.gradebookUrl})\n`
    : lmsProblem
      ? `  LMS demo unavailable (the rest works): ${lmsProblem}\n`
      : ''
}${simulator ? `  Live hall: "${LIVE_DEMO_TITLE}" has simulated students answering right now.\n  Sign in as the proctor or teacher and open ${config.http.publicUrl}/hall/${simulator.examId}\n` : ''}
  Press Ctrl-C to stop everything npm start started.
`);
