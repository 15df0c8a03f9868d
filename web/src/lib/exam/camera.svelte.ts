// The camera during the exam, when the exam uses it: the detector (web/src/lib/camera)
// checks the student's camera on this device twice a second; the rules turn what it saw
// into the camera's state and alerts. Alerts go through the exam's signal queue (kept
// across reconnects and reloads) with their confidence; the state goes to the proctor as
// camera:status; where the exam keeps evidence, one small frame per stored alert is
// uploaded, once. No video and no other picture leaves the device.
import {
  cameraApi,
  type CameraSettings,
  type CameraSetup,
  type CameraState,
  type ClientAck,
  type ProctorSignalType,
} from '@exam-hall/protocol';
import { apiResponse, call, urlOf } from '../api.ts';
import { openCamera as openBrowserCamera, createDetector, type CameraDetector } from '../camera/detector.ts';
import { captureFrame } from '../camera/frame.ts';
import { createCameraRules } from '../camera/rules.ts';
import { request, type AppSocket } from '../socket-request.ts';
import type { QueuedSignal, SignalQueue } from './signals.ts';

/** Two checks a second; the face description (identity) every two seconds. */
export const CHECK_INTERVAL_MS = 500;
export const DESCRIBE_EVERY_MS = 2000;
/** Unsent status is retried this often (the socket may be reconnecting). */
const STATUS_RETRY_MS = 2000;
/** A similarity that moved this much is sent again, at most this often. */
const SIMILARITY_STEP = 0.1;
const SIMILARITY_EVERY_MS = 10_000;
/** The same alert type is raised at most once in this window, whatever the rules say. */
const REPEAT_WINDOW_MS = 5000;
/** Frames waiting for their alert's acknowledgement; older ones are dropped. */
const MAX_HELD_FRAMES = 20;

/** What the camera module needs of the exam session (the page passes the ExamSession). */
export interface CameraHost {
  readonly attemptId: string;
  readonly signals: SignalQueue;
  readonly joinedSocket: AppSocket | null;
  flushSignals(): void;
}

export type ExamCameraPhase = 'loading' | 'unused' | 'running' | 'stopped';

export class ExamCamera {
  readonly #host: CameraHost;
  phase = $state<ExamCameraPhase>('loading');
  settings = $state<CameraSettings | null>(null);
  state = $state<CameraState | null>(null);
  /** Checks done since the page opened (the browser tests wait on it). */
  checks = $state(0);
  /** What the student should do about the camera (it stopped, was refused), or ''. */
  problem = $state('');
  /** Evidence frames uploaded, and those that failed (not retried). */
  framesSent = $state(0);
  framesFailed = $state(0);
  /** The video the detector reads; the page shows it as the self-view. */
  readonly video: HTMLVideoElement | null;

  #reference: number[] | null = null;
  #detector: CameraDetector | null = null;
  #detectorLoad: Promise<CameraDetector> | null = null;
  #stream: MediaStream | null = null;
  #rules: ReturnType<typeof createCameraRules> | null = null;
  #offDetection: (() => void) | null = null;
  #offStored: (() => void) | null = null;
  #statusTimer: ReturnType<typeof setInterval> | undefined;
  #sentState: CameraState | null = null;
  #sentSimilarity: number | null = null;
  #sentAt = 0;
  #sending = false;
  #similarity: number | null = null;
  /** camera_off / camera_denied already raised for the current episode. */
  #episodeRaised = false;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #lastAlertAt = new Map<ProctorSignalType, number>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not state
  #frames = new Map<string, Promise<Blob | null>>();
  #opening = false;

  constructor(host: CameraHost) {
    this.#host = host;
    this.video = typeof document === 'undefined' ? null : document.createElement('video');
    if (this.video) {
      this.video.muted = true;
      this.video.playsInline = true;
      this.video.className = 'camera-self-video';
      this.video.setAttribute('aria-label', 'Your camera (seen only on this device)');
    }
  }

  get mode() {
    return this.settings?.mode ?? 'off';
  }

  /** Reads the exam's camera settings; when it uses the camera, opens it and starts checking. */
  async start(): Promise<void> {
    let setup: CameraSetup;
    try {
      setup = await call(cameraApi.setup, { params: { id: this.#host.attemptId } });
    } catch {
      // No setup (an older server, a network error): the exam runs without the camera.
      this.phase = 'unused';
      return;
    }
    if (this.phase === 'stopped') return;
    if (setup.settings.mode === 'off') {
      this.phase = 'unused';
      return;
    }
    this.settings = setup.settings;
    this.#reference = setup.settings.mode === 'identity' ? setup.reference : null;
    // Started without a camera (refused in the lobby, or no check under policy alert), or
    // reloaded while it was refused: the start gate or the previous page already raised
    // camera_denied for this episode, so a refusal now raises nothing new.
    this.#episodeRaised = setup.state === 'denied' || setup.consentAt === null;
    this.phase = 'running';
    this.#offStored = this.#host.signals.onStored((s, ack) => this.#onStored(s, ack));
    this.#statusTimer = setInterval(() => this.#pushStatus(), STATUS_RETRY_MS);
    // The models load while the browser asks for the camera.
    const load = createDetector();
    load.catch(() => undefined);
    this.#detectorLoad = load;
    await this.#open();
  }

  /** The student's "Turn the camera back on". */
  retry(): Promise<void> {
    return this.#open();
  }

  async #open(): Promise<void> {
    if (this.#opening || this.phase !== 'running') return;
    this.#opening = true;
    try {
      this.#setState('starting');
      const opened = await openBrowserCamera();
      if (this.phase !== 'running') {
        if (opened.ok) stopTracks(opened.stream);
        return;
      }
      if (!opened.ok) {
        this.#lost(opened.reason === 'denied' ? 'denied' : 'off', problemOf(opened.reason));
        return;
      }
      let detector: CameraDetector;
      try {
        detector = await this.#detectorLoad!;
      } catch {
        stopTracks(opened.stream);
        this.#lost(
          'off',
          'The camera check could not start in this browser. Reload the page; if it keeps happening, tell your proctor.',
        );
        return;
      }
      if (this.phase !== 'running') {
        stopTracks(opened.stream);
        return;
      }
      this.#detector = detector;
      this.#stream = opened.stream;
      for (const track of opened.stream.getVideoTracks()) {
        track.addEventListener('ended', () => {
          if (this.#stream !== opened.stream || this.phase !== 'running') return;
          this.#release();
          this.#lost(
            'off',
            'Your camera stopped. Check that it is connected and not used by another program, then turn it back on.',
          );
        });
      }
      const video = this.video!;
      video.srcObject = opened.stream;
      await video.play().catch(() => undefined);
      this.problem = '';
      this.#episodeRaised = false;
      this.#rules = createCameraRules(this.settings!);
      detector.setReference(this.#reference);
      this.#offDetection?.();
      this.#offDetection = detector.onDetection((d) => {
        if (this.phase !== 'running' || !this.#rules) return;
        this.checks++;
        if (d.similarity !== null) this.#similarity = d.similarity;
        const { state, alerts } = this.#rules.feed(d);
        this.#setState(state);
        for (const alert of alerts) this.#raise(alert.type, alert);
      });
      detector.start(video, {
        intervalMs: CHECK_INTERVAL_MS,
        ...(this.#reference ? { describeEveryMs: DESCRIBE_EVERY_MS } : {}),
      });
    } finally {
      this.#opening = false;
    }
  }

  /** The camera is gone (refused, missing, ended): say so, and alert once per episode. */
  #lost(state: 'off' | 'denied', problem: string) {
    this.problem = problem;
    this.#setState(state);
    if (!this.#episodeRaised) {
      this.#episodeRaised = true;
      this.#raise(state === 'denied' ? 'camera_denied' : 'camera_off', { confidence: 1, measure: {} }, false);
    }
  }

  #raise(
    type: ProctorSignalType,
    alert: { confidence: number; measure: QueuedSignal['measure']; durationMs?: number | undefined },
    withFrame = true,
  ) {
    const now = Date.now();
    if (now - (this.#lastAlertAt.get(type) ?? -Infinity) < REPEAT_WINDOW_MS) return;
    this.#lastAlertAt.set(type, now);
    const signal = this.#host.signals.add(type, {
      confidence: alert.confidence,
      ...(alert.measure && Object.keys(alert.measure).length ? { measure: alert.measure } : {}),
      ...(alert.durationMs !== undefined ? { durationMs: alert.durationMs } : {}),
    });
    if (withFrame && this.settings?.evidence && this.video && this.#stream) {
      // The frame of this moment, held until the server says it wants it.
      this.#frames.set(
        signal.clientEventId,
        captureFrame(this.video).catch(() => null),
      );
      while (this.#frames.size > MAX_HELD_FRAMES) this.#frames.delete(this.#frames.keys().next().value!);
    }
    this.#host.flushSignals();
  }

  #onStored(signal: QueuedSignal, ack: ClientAck<'proctor:signal'>) {
    const frame = this.#frames.get(signal.clientEventId);
    if (!frame) return;
    this.#frames.delete(signal.clientEventId);
    if (ack.wantsEvidence && ack.eventId) void this.#upload(signal.clientEventId, frame);
  }

  /** One POST per alert: a failure is counted, never retried. */
  async #upload(clientEventId: string, frame: Promise<Blob | null>) {
    const blob = await frame;
    if (!blob) {
      this.framesFailed++;
      return;
    }
    try {
      await apiResponse(urlOf(cameraApi.uploadEvidence, { id: this.#host.attemptId }, { clientEventId }), {
        method: 'POST',
        body: blob,
        headers: { 'content-type': 'image/jpeg' },
      });
      this.framesSent++;
    } catch {
      this.framesFailed++;
    }
  }

  #setState(state: CameraState) {
    if (state === this.state) return;
    this.state = state;
    this.#pushStatus();
  }

  /** Sends the latest state when it changed (and identity's similarity when it moved); one at a time. */
  #pushStatus() {
    const state = this.state;
    if (this.#sending || state === null) return;
    const similarity = this.mode === 'identity' ? this.#similarity : null;
    const similarityMoved =
      similarity !== null &&
      (this.#sentSimilarity === null ||
        (Math.abs(similarity - this.#sentSimilarity) >= SIMILARITY_STEP &&
          Date.now() - this.#sentAt >= SIMILARITY_EVERY_MS));
    if (state === this.#sentState && !similarityMoved) return;
    const socket = this.#host.joinedSocket;
    if (!socket) return;
    this.#sending = true;
    void request(socket, 'camera:status', {
      attemptId: this.#host.attemptId,
      state,
      ...(similarity !== null ? { similarity: round(similarity) } : {}),
    }).then((reply) => {
      this.#sending = false;
      // A refusal of this state is final (validation): do not send it again.
      if (reply.ok || reply.error.code === 'validation_failed') {
        this.#sentState = state;
        this.#sentSimilarity = similarity;
        this.#sentAt = Date.now();
      }
      if (this.state !== this.#sentState) this.#pushStatus();
    });
  }

  #release() {
    this.#offDetection?.();
    this.#offDetection = null;
    this.#detector?.stop();
    if (this.#stream) stopTracks(this.#stream);
    this.#stream = null;
    if (this.video) this.video.srcObject = null;
  }

  /** The exam ended or the page closes: the camera light goes off, no alert. */
  stop(): void {
    this.phase = 'stopped';
    clearInterval(this.#statusTimer);
    this.#offStored?.();
    this.#release();
    this.#detector?.dispose();
    this.#detector = null;
    void this.#detectorLoad?.then((d) => d.dispose()).catch(() => undefined);
    this.#frames.clear();
  }
}

function stopTracks(stream: MediaStream) {
  for (const track of stream.getTracks()) track.stop();
}

const round = (n: number) => Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;

function problemOf(reason: 'denied' | 'no_camera' | 'unsupported' | 'error'): string {
  switch (reason) {
    case 'denied':
      return 'Your browser refused the camera. Allow the camera for this site (the camera icon in the address bar), then turn it back on.';
    case 'no_camera':
      return 'No camera was found. Connect one, then turn it back on.';
    case 'unsupported':
      return 'This browser cannot use a camera here. Tell your proctor.';
    default:
      return 'The camera could not be opened. Close other programs that use it, then turn it back on.';
  }
}
