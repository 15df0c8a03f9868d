// How a roster row reads: plain-text status (never colour alone), time left by the
// server's clock, and the sort and filter rules of the hall table.
import {
  SIGNAL_WEIGHTS,
  type CameraState,
  type EndedAttemptStatus,
  type HallRow,
  type ProctorSignalType,
} from '@exam-hall/protocol';
import { formatCountdown } from '../clock.svelte.ts';

/** Where a participant is, as the proctor thinks of it. */
export type Phase = 'not_started' | 'in_progress' | 'paused' | 'disconnected' | 'ended';
export type StatusFilter = 'all' | Phase;

export const statusFilters: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'not_started', label: 'Not started' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'paused', label: 'Paused' },
  { value: 'disconnected', label: 'Disconnected' },
  { value: 'ended', label: 'Submitted or ended' },
];

const live = (row: HallRow) => row.status === 'in_progress' || row.status === 'paused';

/** Every browser of an attempt that had joined has closed (never-joined attempts are not "disconnected"). */
export function isDisconnected(row: HallRow): boolean {
  return live(row) && row.connections === 0 && row.disconnectedSince !== null;
}

export function phaseOf(row: HallRow): Phase {
  if (row.status === 'not_started') return 'not_started';
  if (row.status === 'paused') return 'paused';
  if (row.status === 'in_progress') return isDisconnected(row) ? 'disconnected' : 'in_progress';
  return 'ended';
}

/** A paused student matches both "Paused" and, when offline, "Disconnected". */
export function matchesStatus(row: HallRow, filter: StatusFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'disconnected') return isDisconnected(row);
  if (filter === 'paused') return row.status === 'paused';
  return phaseOf(row) === filter;
}

/** Milliseconds left on the attempt's clock (frozen while paused), or null when no clock runs. */
export function remainingMs(row: HallRow, now: number): number | null {
  if (!row.deadlineAt) return null;
  if (row.status === 'in_progress') return Date.parse(row.deadlineAt) - now;
  if (row.status === 'paused' && row.pausedAt) return Date.parse(row.deadlineAt) - Date.parse(row.pausedAt);
  return null;
}

/** "35 s", "2 min", "1 h 5 min": how long something has lasted. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

const clockTime = new Intl.DateTimeFormat('en', { timeStyle: 'short' });
const clockTimeSeconds = new Intl.DateTimeFormat('en', { timeStyle: 'medium' });
export const timeOfDay = (iso: string) => clockTime.format(new Date(iso));
export const timeOfDaySeconds = (iso: string) => clockTimeSeconds.format(new Date(iso));

const endedLabels: Record<EndedAttemptStatus, string> = {
  submitted: 'Submitted',
  expired: 'Time ran out',
  abandoned: 'Abandoned',
  invalidated: 'Terminated',
};

/** "In progress", "Disconnected for 2 min", "Submitted 10:42 AM", "Paused", "Not started". */
export function statusText(row: HallRow, now: number): string {
  const away = row.disconnectedSince ? `for ${formatDuration(now - Date.parse(row.disconnectedSince))}` : '';
  switch (row.status) {
    case 'not_started':
      // An attempt without a clock: the student entered with their code and waits in the lobby.
      return row.attemptId ? 'In the lobby' : 'Not started';
    case 'in_progress': {
      const left = remainingMs(row, now);
      if (isDisconnected(row)) return `Disconnected ${away}`;
      return left !== null && left <= 0 ? 'Time is up' : 'In progress';
    }
    case 'paused':
      return isDisconnected(row) ? `Paused · disconnected ${away}` : 'Paused';
    default: {
      const label = endedLabels[row.status] ?? row.status;
      return row.submittedAt && (row.status === 'submitted' || row.status === 'expired')
        ? `${label} ${timeOfDay(row.submittedAt)}`
        : label;
    }
  }
}

/** "12:04", "8:10 (paused)", or an em dash when no clock runs. The table says "Paused" in its status column. */
export function timeLeftText(row: HallRow, now: number, sayPaused = true): string {
  const left = remainingMs(row, now);
  if (left === null) return '—';
  return row.status === 'paused' && sayPaused ? `${formatCountdown(left)} (paused)` : formatCountdown(left);
}

export function answeredText(row: HallRow): string {
  return row.status === 'not_started' ? '—' : `${row.answered}/${row.questionCount}`;
}

// ---------------------------------------------------------------- sorting

export type SortKey = 'name' | 'status' | 'answered' | 'timeLeft' | 'risk' | 'alerts';
export type SortDir = 'ascending' | 'descending';

export const columns: { key: SortKey; label: string; numeric: boolean; firstDir: SortDir }[] = [
  { key: 'name', label: 'Student', numeric: false, firstDir: 'ascending' },
  { key: 'status', label: 'Status', numeric: false, firstDir: 'ascending' },
  { key: 'answered', label: 'Answered', numeric: true, firstDir: 'ascending' },
  { key: 'timeLeft', label: 'Time left', numeric: true, firstDir: 'ascending' },
  // The riskiest and busiest first is what a proctor clicks these for.
  { key: 'risk', label: 'Risk', numeric: true, firstDir: 'descending' },
  { key: 'alerts', label: 'Open alerts', numeric: true, firstDir: 'descending' },
];

/** Who needs a look first when sorting by status. */
const phaseRank: Record<Phase, number> = { disconnected: 0, paused: 1, in_progress: 2, not_started: 3, ended: 4 };
const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function compareNames(a: HallRow, b: HallRow): number {
  return collator.compare(a.name, b.name) || collator.compare(a.email, b.email);
}

/**
 * Sorts a copy of `rows`. `nameRank` is each participant's alphabetical position
 * (precomputed: collating names is the slow part). Rows without a value for the key
 * (no clock, not started) stay at the end in both directions; ties fall back to the
 * name, so the order is stable.
 */
export function sortRows(
  rows: HallRow[],
  key: SortKey,
  dir: SortDir,
  now: number,
  nameRank: ReadonlyMap<string, number>,
): HallRow[] {
  const sign = dir === 'ascending' ? 1 : -1;
  const rank = (r: HallRow) => nameRank.get(r.participantId) ?? Number.MAX_SAFE_INTEGER;
  const value = (r: HallRow): number | null => {
    switch (key) {
      case 'name':
        return rank(r);
      case 'status':
        return phaseRank[phaseOf(r)];
      case 'answered':
        return r.status === 'not_started' ? null : r.answered;
      case 'timeLeft':
        return remainingMs(r, now);
      case 'risk':
        return r.riskScore;
      case 'alerts':
        return r.openAlerts;
    }
  };
  const keyed = rows.map((r) => ({ r, v: value(r), n: rank(r) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null) return a.v === b.v ? a.n - b.n : a.v === null ? 1 : -1;
    return sign * (a.v - b.v) || a.n - b.n;
  });
  return keyed.map((k) => k.r);
}

// ---------------------------------------------------------------- alerts

const signalLabels: Record<ProctorSignalType, string> = {
  tab_hidden: 'Tab hidden',
  window_blur: 'Left the window',
  fullscreen_exit: 'Left full screen',
  copy: 'Copied text',
  cut: 'Cut text',
  paste: 'Pasted text',
  context_menu: 'Opened the context menu',
  offline: 'Went offline',
  second_device: 'Second device',
  camera_denied: 'Camera refused',
  camera_off: 'Camera turned off',
  no_face: 'No face',
  multi_person: 'More than one person',
  gaze_offscreen: 'Looking away',
  face_mismatch: 'Face mismatch',
};

export function signalLabel(type: string): string {
  return signalLabels[type as ProctorSignalType] ?? type.replaceAll('_', ' ');
}

export function signalWeight(type: string): number | undefined {
  return SIGNAL_WEIGHTS[type as ProctorSignalType]?.weight;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** 0.91: confidences and similarities, always two decimals. */
export const score = (v: number) => v.toFixed(2);

/**
 * "for 4 s", "2 devices", and for camera signals what the detector measured
 * ("2 faces", "head turned 41°", "similarity 0.37", wherever the server put it:
 * in details.measure or in details itself).
 */
export function alertDetail(details: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof details.durationMs === 'number') parts.push(`for ${formatDuration(details.durationMs)}`);
  if (typeof details.devices === 'number') parts.push(`${details.devices} devices`);
  const m = (typeof details.measure === 'object' && details.measure ? details.measure : details) as Record<
    string,
    unknown
  >;
  const faces = num(m.faces);
  const degrees = num(m.degrees);
  const similarity = num(m.similarity);
  if (faces !== undefined) parts.push(faces === 1 ? '1 face' : `${faces} faces`);
  if (degrees !== undefined) parts.push(`head turned ${Math.round(Math.abs(degrees))}°`);
  if (similarity !== undefined) parts.push(`similarity ${score(similarity)}`);
  return parts.join(', ');
}

/** "confidence 0.91" for a camera signal, or '' for a signal without one. */
export function confidenceText(confidence: number | null | undefined): string {
  return typeof confidence === 'number' ? `confidence ${score(confidence)}` : '';
}

// ---------------------------------------------------------------- camera

const cameraLabels: Record<CameraState, string> = {
  starting: 'Camera starting',
  on: 'Camera on',
  no_face: 'No face now',
  off: 'Camera off',
  denied: 'Camera refused',
};

/** Whether the camera state needs a look: the hall marks it in words and with a style. */
export const cameraTrouble = (state: CameraState) => state === 'no_face' || state === 'off' || state === 'denied';

/** The hall's camera cell: "No face now" and "since 10:42:05 · Identity 0.82", or null without camera data. */
export function cameraText(row: HallRow): { state: string; since: string } | null {
  const c = row.camera;
  if (!c) return null;
  const identity = c.faceVerificationScore === null ? '' : ` · Identity ${score(c.faceVerificationScore)}`;
  return { state: cameraLabels[c.state] ?? c.state, since: `since ${timeOfDaySeconds(c.at)}${identity}` };
}
