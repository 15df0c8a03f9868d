// Camera proctoring on the student's own device: the exam's camera settings, what the
// student's page reports (camera state, the face reference, alerts with a confidence),
// and the evidence frames a proctor may look at through a short-lived signed address.
// Detection runs in the student's browser; only these shapes ever leave it.
import { z } from 'zod';

/** off: no camera; presence: face present, alone, facing the screen; identity: presence plus the same person as at the start. */
export const cameraModes = ['off', 'presence', 'identity'] as const;
export type CameraMode = (typeof cameraModes)[number];
/** What a refused or missing camera does: block the start, or let the student start and raise an alert. */
export const cameraDeniedPolicies = ['block', 'alert'] as const;
export type CameraDeniedPolicy = (typeof cameraDeniedPolicies)[number];

export const CAMERA_LIMITS = {
  retentionDays: { min: 1, max: 365, default: 30 },
  /** Seconds a condition (no face, looking away) must last before it raises an alert. */
  seconds: { min: 2, max: 120, default: 10 },
  /** Head rotation beyond this many degrees counts as looking away. */
  degrees: { min: 15, max: 80, default: 35 },
} as const;

const whole = (what: string, lim: { min: number; max: number }) =>
  z
    .number(`${what} must be a number`)
    .int(`${what} must be a whole number`)
    .min(lim.min, `${what} must be at least ${lim.min}`)
    .max(lim.max, `${what} must be at most ${lim.max}`);

export const cameraSettingsSchema = z.object({
  mode: z.enum(cameraModes, { error: `Camera mode must be one of ${cameraModes.join(', ')}` }).default('off'),
  /** Keep one small frame per camera alert, encrypted, for the exam's proctors and teachers. */
  evidence: z.boolean().default(false),
  /** Evidence frames are deleted by a job this many days after they were taken. */
  retentionDays: whole('Retention', CAMERA_LIMITS.retentionDays).default(CAMERA_LIMITS.retentionDays.default),
  deniedPolicy: z
    .enum(cameraDeniedPolicies, { error: `Denied camera policy must be one of ${cameraDeniedPolicies.join(', ')}` })
    .default('block'),
  noFaceSeconds: whole('No-face time', CAMERA_LIMITS.seconds).default(CAMERA_LIMITS.seconds.default),
  lookAwaySeconds: whole('Looking-away time', CAMERA_LIMITS.seconds).default(CAMERA_LIMITS.seconds.default),
  lookAwayDegrees: whole('Looking-away angle', CAMERA_LIMITS.degrees).default(CAMERA_LIMITS.degrees.default),
});
export type CameraSettings = z.infer<typeof cameraSettingsSchema>;
export const DEFAULT_CAMERA_SETTINGS: CameraSettings = cameraSettingsSchema.parse({});

/** Similarity (0-1, Human's normalised descriptor distance) under which the live face is someone else. */
export const FACE_MATCH_THRESHOLD = 0.5;
/** Length of the face description (Human's faceres model). */
export const FACE_DESCRIPTOR_LENGTH = 1024;

/** What the hall shows per student. */
export const cameraStates = ['starting', 'on', 'no_face', 'off', 'denied'] as const;
export type CameraState = (typeof cameraStates)[number];

/** Lobby: the student read what is processed and kept, and the check's outcome. */
export const cameraCheckBodySchema = z.object({
  consent: z.literal(true, 'Tick that you have read what the camera check does'),
  /** ready: the check saw exactly one face; denied: the browser refused the camera or has none. */
  state: z.enum(['ready', 'denied'], { error: 'state must be ready or denied' }),
  /** Identity mode, with state ready: the face description captured now (the photo never leaves the device). */
  reference: z
    .array(z.number().finite().min(-10).max(10))
    .length(FACE_DESCRIPTOR_LENGTH, `reference must hold ${FACE_DESCRIPTOR_LENGTH} numbers`)
    .optional(),
  /** How sure the detector was that the face is a face (0-1). */
  faceScore: z.number().min(0).max(1).optional(),
});
export type CameraCheckBody = z.infer<typeof cameraCheckBodySchema>;

export const cameraCheckSchema = z.object({
  attemptId: z.uuid(),
  consentAt: z.iso.datetime().nullable(),
  state: z.enum(cameraStates).nullable(),
  faceVerificationCompleted: z.boolean(),
  faceVerificationScore: z.number().nullable(),
});
export type CameraCheck = z.infer<typeof cameraCheckSchema>;

/** What the exam page needs to run the detector: the settings and, in identity mode, the reference. */
export const cameraSetupSchema = z.object({
  settings: cameraSettingsSchema,
  consentAt: z.iso.datetime().nullable(),
  reference: z.array(z.number()).nullable(),
  /** The camera state last recorded for the attempt (the lobby's check, then the page's reports). */
  state: z.enum(cameraStates).nullable(),
});
export type CameraSetup = z.infer<typeof cameraSetupSchema>;

/** Socket: the student's camera state changed (sent on change only). */
export const cameraStatusSchema = z.object({
  attemptId: z.uuid('must be a UUID'),
  state: z.enum(cameraStates, { error: `state must be one of ${cameraStates.join(', ')}` }),
  /** Identity mode: the latest similarity of the live face to the reference (0-1). */
  similarity: z.number().min(0).max(1).optional(),
});
export type CameraStatus = z.infer<typeof cameraStatusSchema>;

/** Pushed to the exam's proctors: one student's camera state. */
export const hallCameraSchema = z.object({
  examId: z.uuid(),
  attemptId: z.uuid(),
  state: z.enum(cameraStates),
  at: z.iso.datetime(),
  faceVerificationScore: z.number().nullable(),
});
export type HallCamera = z.infer<typeof hallCameraSchema>;

// ---------------------------------------------------------------- evidence frames

/** One frame per alert, JPEG, at most this size and this many pixels on its long side. */
export const EVIDENCE_MAX_BYTES = 64 * 1024;
export const EVIDENCE_MAX_SIDE = 320;
/** A signed evidence address works for this long, and only for the user it was made for. */
export const EVIDENCE_URL_SECONDS = 60;

export const evidenceUploadQuerySchema = z.object({
  clientEventId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientEventId must be 8-64 url-safe characters'),
});
export const evidenceSchema = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  bytes: z.number().int(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  /** Set once the retention job removed the frame; the record of it stays. */
  deletedAt: z.iso.datetime().nullable(),
});
export type Evidence = z.infer<typeof evidenceSchema>;
export const evidenceUrlSchema = z.object({ url: z.string(), expiresAt: z.iso.datetime() });
export type EvidenceUrl = z.infer<typeof evidenceUrlSchema>;
export const evidenceFetchQuerySchema = z.object({
  exp: z.coerce.number().int('exp must be a whole number'),
  sig: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'sig must be url-safe base64'),
});
