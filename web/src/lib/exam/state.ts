// What the exam page shows of one attempt, as one plain object: the page makes it
// reactive ($state in session.svelte.ts), the unit tests use it as it is. The modules
// beside this file (answers, timekeeper, submit, core) only read and write it.
import { endedAttemptStatuses } from '@exam-hall/protocol';
import type {
  AttemptResponse,
  AttemptSnapshot,
  AttemptStatus,
  Clock,
  SavedAnswer,
  ServerPayload,
} from '@exam-hall/protocol';
import { remainingMs, type Warning } from '../clock.ts';
import type { AppSocket } from '../socket-request.ts';
import type { OutboxEntry } from './outbox.ts';
import type { ExamQuestion } from './questions.ts';
import type { SignalQueue } from './signals.ts';
import type { Outbox } from './outbox.ts';
import type { SafeStore } from './storage.ts';

export const isFinalStatus = (status: string) => (endedAttemptStatuses as readonly string[]).includes(status);

export type ClockState = Pick<Clock, 'status' | 'deadlineAt' | 'pausedAt'>;

/** A proctor's message as it came, numbered in this page for dismissing. */
export type ProctorMessage = ServerPayload<'attempt:message'> & { id: number };

export interface Ending {
  status: AttemptStatus;
  reason: string;
  submittedAt: string | null;
  /** Saves still waiting when the attempt ended elsewhere (time up, proctor): they cannot land now. */
  unsent: number;
}

export type Link = 'connecting' | 'online' | 'offline';

/** GET /api/attempts/{id} as the page's load read it. */
export type InitialAttempt = AttemptResponse & {
  /** performance.now() when the request left and when its answer was read. */
  sentAt: number;
  receivedAt: number;
};

export interface ExamState {
  attempt: AttemptSnapshot['attempt'] | null;
  questions: ExamQuestion[];
  /** The server's answers as last known (snapshot, then every acknowledged save). */
  saved: SavedAnswer[];
  pending: OutboxEntry[];
  clock: ClockState | null;
  /** Server time, ticking once a second. */
  now: number;
  connected: boolean;
  everConnected: boolean;
  joined: boolean;
  browserOnline: boolean;
  /** Why waiting saves cannot go now (paused, time up); they are kept. */
  saveProblem: string;
  /** This page cannot carry on (not this browser's attempt, signed out). */
  fatal: string;
  /** The attempt continues on another device (a proctor's resume code): this page is only a record now. */
  movedAway: boolean;
  warning: Warning | null;
  /** Said at once to screen readers: time warnings, pause, resume, extension. */
  alertText: string;
  clockNotice: string;
  /** The proctor's reason for the current pause, when they gave one. */
  pauseReason: string;
  messages: ProctorMessage[];
  ending: Ending | null;
  submitStage: 'idle' | 'draining' | 'sending';
  submitProblem: string;
  /** Goes up when the server says the attempt was graded. */
  graded: number;
  /** False when this browser refuses storage: a reload would lose unsent answers. */
  persistent: boolean;
  /** The exam on screen came from this device's copy: no server answer yet in this page load. */
  fromCache: boolean;
}

export function createExamState(): ExamState {
  return {
    attempt: null,
    questions: [],
    saved: [],
    pending: [],
    clock: null,
    now: 0,
    connected: false,
    everConnected: false,
    joined: false,
    browserOnline: true,
    saveProblem: '',
    fatal: '',
    movedAway: false,
    warning: null,
    alertText: '',
    clockNotice: '',
    pauseReason: '',
    messages: [],
    ending: null,
    submitStage: 'idle',
    submitProblem: '',
    graded: 0,
    persistent: true,
    fromCache: false,
  };
}

export const remainingOf = (s: ExamState) => (s.clock ? remainingMs(s.clock, s.now) : null);
export const isPaused = (s: ExamState) => s.clock?.status === 'paused';
export const isTimeUp = (s: ExamState) => s.clock?.status === 'in_progress' && remainingOf(s) === 0;
export const canAnswer = (s: ExamState) =>
  s.attempt !== null && s.ending === null && !s.movedAway && s.clock?.status === 'in_progress' && remainingOf(s) !== 0;

// The browser knows when it has no network at all, before the socket notices.
export const linkOf = (s: ExamState): Link =>
  !s.browserOnline || (!s.connected && s.everConnected) ? 'offline' : s.connected && s.joined ? 'online' : 'connecting';

/** What the exam's modules share: the attempt, its state, its storage and the current connection. */
export interface ExamContext {
  readonly attemptId: string;
  readonly state: ExamState;
  readonly store: SafeStore;
  readonly outbox: Outbox;
  readonly signals: SignalQueue;
  /** The socket while the page runs; null before start and after stop. */
  socket: AppSocket | null;
  /** Goes up on every connect and disconnect: answers meant for an older connection are ignored. */
  generation: number;
  /** Says `text` to screen readers at once. */
  announce(text: string): void;
}

/** The outbox as the page shows it (after every change, and when another tab wrote). */
export function refreshPending(ctx: ExamContext): void {
  ctx.state.pending = ctx.outbox.entries();
  ctx.state.persistent = ctx.store.persistent;
}
