// Every domain service and its HTTP routes, wired in one visible table. A new
// domain adds one line to each list.
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../lib/logger.ts';
import type { DeclaredRoute } from '../http/route.ts';
import type { AuthService } from './auth/auth.service.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { createAuditService } from './audit/audit.service.ts';
import { createCourseService } from './courses/courses.service.ts';
import { courseRoutes } from './courses/courses.routes.ts';
import { createExamService } from './exams/exams.service.ts';
import { examRoutes } from './exams/exams.routes.ts';
import { createAttemptService } from './attempts/attempts.service.ts';
import { attemptRoutes } from './attempts/attempts.routes.ts';
import { createCodeLimiter } from './attempts/attempts.rate-limit.ts';
import type { HallPublisher } from './hall/hall.events.ts';
import type { GradingQueue } from './grading/grading.jobs.ts';
import type { CertificateJobs } from './certificates/certificates.jobs.ts';
import type { CertificateChain } from './certificates/certificates.chain.ts';
import type { ZoomClient } from './zoom/zoom.client.ts';
import type { ZoomJobs } from './zoom/zoom.jobs.ts';
import { zoomWebhookRoutes } from './zoom/zoom.webhooks.ts';
import { createCertificateService } from './certificates/certificates.service.ts';
import { certificateRoutes } from './certificates/certificates.routes.ts';
import { createVerificationService } from './verification/verification.service.ts';
import { verificationRoutes } from './verification/verification.routes.ts';
import { createZoomMeetingService } from './zoom/zoom.meetings.service.ts';
import { zoomMeetingRoutes } from './zoom/zoom.meetings.routes.ts';
import { createAttendanceService } from './attendance/attendance.service.ts';
import { attendanceRoutes } from './attendance/attendance.routes.ts';
import { createHallService } from './hall/hall.service.ts';
import { createRowPusher } from './hall/hall.rows.ts';
import type { ExpiryScheduler } from './attempts/attempts.jobs.ts';
import { createAttemptLiveService } from './attempts/attempts.live.service.ts';
import { hallRoutes } from './hall/hall.routes.ts';
import { createProctoringService } from './proctoring/proctoring.service.ts';
import { createCameraService } from './camera/camera.service.ts';
import { cameraRoutes } from './camera/camera.routes.ts';
import { createReviewService } from './review/review.service.ts';
import { reviewRoutes } from './review/review.routes.ts';
import { createParticipantService } from './participants/participants.service.ts';
import { participantRoutes } from './participants/participants.routes.ts';
import { createAccommodationService } from './participants/participants.accommodations.ts';
import { accommodationRoutes } from './participants/participants.accommodations.routes.ts';
import { createExamCodeLimiter, createExamCodeService } from './participants/participants.exam-code.ts';
import { examCodeRoutes } from './participants/participants.exam-code.routes.ts';
import { createQuestionService } from './questions/questions.service.ts';
import { questionRoutes } from './questions/questions.routes.ts';
import { createInterchangeService } from './interchange/interchange.service.ts';
import { interchangeRoutes } from './interchange/interchange.routes.ts';
import { createBankService } from './banks/banks.service.ts';
import { createSectionService } from './banks/sections.service.ts';
import { bankRoutes, sectionRoutes } from './banks/banks.routes.ts';
import { createResultsService } from './results/results.service.ts';
import { resultRoutes } from './results/results.routes.ts';
import { createGradingService } from './grading/grading.manual.service.ts';
import { gradingRoutes } from './grading/grading.routes.ts';
import { createAccountLinks } from './accounts/accounts.links.ts';
import { createAccountService } from './accounts/accounts.service.ts';
import { accountRoutes } from './accounts/accounts.routes.ts';
import { createUserService } from './users/users.service.ts';
import { userRoutes } from './users/users.routes.ts';
import { createEvidenceService } from './camera/evidence.service.ts';
import { evidenceRoutes } from './camera/evidence.routes.ts';
import type { LtiGradeJobs } from './lti/lti.jobs.ts';
import { createLtiAgsService } from './lti/lti.ags.service.ts';
import { createLtiNrpsService } from './lti/lti.nrps.service.ts';
import { ltiGradeRoutes } from './lti/lti.grades.routes.ts';
import { createKeyStore } from './keys/keys.service.ts';
import { createLtiPlatformService } from './lti/lti.platforms.service.ts';
import { ltiApiRoutes, ltiServiceFor } from './lti/lti.routes.ts';
import { createCredentialService } from './credentials/credentials.service.ts';
import { credentialRoutes } from './credentials/credentials.routes.ts';

export interface ServiceDeps {
  db: Db;
  redis: Redis;
  config: Config;
  secret: string;
  publish: HallPublisher;
  expiry: ExpiryScheduler;
  grading: GradingQueue;
  certificates: CertificateJobs;
  /** Null when no certificate contract is configured. */
  chain: CertificateChain | null;
  /** Null when no Zoom app is configured (features answer "Zoom is not configured"). */
  zoom: ZoomClient | null;
  zoomJobs: ZoomJobs;
  /** LMS gradebook pushes (AGS) and roster syncs (NRPS). */
  ltiGrades: LtiGradeJobs;
  /** The process's logger (services that log off the request path; optional for tests). */
  log?: Logger;
}

export function createServices(deps: ServiceDeps) {
  const accountLinks = createAccountLinks(deps);
  const proctoring = createProctoringService(deps);
  const camera = createCameraService({ ...deps, proctoring });
  const keys = createKeyStore(deps);
  const verification = createVerificationService(deps);
  // One roster pusher for the process: joins, claims, begins and proctor actions of an exam
  // share its per-exam batch (one roster query a second, not one per service).
  const rows = createRowPusher(deps);
  return {
    /** Signing keys for the LTI tool and the credential issuer (one store, both purposes). */
    keys,
    ltiPlatforms: createLtiPlatformService({ ...deps, keys, publicUrl: deps.config.http.publicUrl }),
    accountLinks,
    users: createUserService({ ...deps, links: accountLinks }),
    proctoring,
    camera,
    hall: createHallService({ ...deps, proctoring, rows }),
    review: createReviewService({ ...deps, proctoring }),
    attemptLive: createAttemptLiveService({ ...deps, proctoring, rows }),
    courses: createCourseService(deps),
    exams: createExamService(deps),
    participants: createParticipantService(deps),
    accommodations: createAccommodationService(deps),
    examCode: createExamCodeService({
      ...deps,
      limiter: createExamCodeLimiter(deps.redis, deps.config.redis.prefix, deps.config.codes),
    }),
    attempts: createAttemptService({
      ...deps,
      camera,
      rows,
      limiter: createCodeLimiter(deps.redis, deps.config.redis.prefix, deps.config.codes),
      publicUrl: deps.config.http.publicUrl,
    }),
    questions: createQuestionService(deps),
    interchange: createInterchangeService(deps),
    banks: createBankService(deps),
    sections: createSectionService(deps),
    results: createResultsService(deps),
    handGrading: createGradingService(deps),
    certificates: createCertificateService({ ...deps, publicUrl: deps.config.http.publicUrl }),
    verification,
    // Checks the anchored certificate of an uploaded credential through the verification service.
    credentials: createCredentialService({ ...deps, keys, verification }),
    zoomMeetings: createZoomMeetingService(deps),
    attendance: createAttendanceService(deps),
    audit: createAuditService(deps),
    evidence: createEvidenceService(deps),
    ltiAgs: createLtiAgsService(deps),
    ltiNrps: createLtiNrpsService(deps),
  };
}
export type Services = ReturnType<typeof createServices>;

export function createRoutes(deps: ServiceDeps, auth: AuthService, s: Services): DeclaredRoute[] {
  return [
    ...authRoutes(auth, deps.config.auth.cookieSecure),
    // Built here: it signs people in and ends sessions through the auth service (made in system.ts).
    ...accountRoutes(
      createAccountService({ ...deps, auth, links: s.accountLinks }),
      auth,
      deps.config.auth.cookieSecure,
    ),
    ...auditRoutes(s.audit),
    ...userRoutes(s.users),
    ...courseRoutes(s.courses),
    ...examRoutes(s.exams),
    ...participantRoutes(s.participants),
    ...accommodationRoutes(s.accommodations),
    ...examCodeRoutes(s.examCode),
    ...hallRoutes(s.exams),
    ...attemptRoutes(s.attempts, deps.config.auth.cookieSecure),
    ...cameraRoutes(s.camera),
    ...questionRoutes(s.questions),
    ...interchangeRoutes(s.interchange),
    ...bankRoutes(s.banks),
    ...sectionRoutes(s.sections),
    ...resultRoutes(s.results),
    ...gradingRoutes(s.handGrading),
    ...reviewRoutes(s.review),
    ...certificateRoutes(s.certificates),
    ...verificationRoutes(s.verification, deps.config.http.publicUrl),
    ...credentialRoutes(s.credentials),
    ...zoomMeetingRoutes(s.zoomMeetings),
    ...attendanceRoutes(s.attendance),
    ...evidenceRoutes(s.evidence),
    ...ltiGradeRoutes(s.ltiAgs, s.ltiNrps),
    ...ltiApiRoutes(s.ltiPlatforms, ltiServiceFor(deps, auth, s.keys)),
    ...zoomWebhookRoutes({
      secret: deps.config.zoom.webhookSecret,
      redis: deps.redis,
      prefix: deps.config.redis.prefix,
      jobs: deps.zoomJobs,
    }),
  ];
}
