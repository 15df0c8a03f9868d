// What the benchmark's main process and its load-generator children say to each other over IPC.

export interface SimStudent {
  attemptId: string;
  /** `eh_attempt={attemptId}.{token}`, or null against the bare echo server. */
  cookie: string | null;
  /** Sends a proctor:signal (tab_hidden) every signal interval during the steady phase. */
  signaler: boolean;
  /** The server process this student connects to (bench-hall --processes); else the connect message's url. */
  url?: string;
}

export type ToWorker =
  | {
      type: 'connect';
      url: string;
      students: SimStudent[];
      questionIds: string[];
      /** Connections opened (and joined) at once, per worker. */
      rampBatch: number;
      ackTimeoutMs: number;
    }
  | {
      type: 'steady';
      /** Wall-clock end (ms since epoch); nothing new is sent after it. */
      endAt: number;
      saveIntervalMs: number;
      signalIntervalMs: number;
    }
  | { type: 'saturate'; endAt: number; concurrency: number }
  | { type: 'drain' }
  | { type: 'report' }
  | { type: 'exit' };

export interface ConnectResult {
  type: 'connected';
  connected: number;
  failed: number;
  errors: Record<string, number>;
  /** ms from io() to the join ack, per connected student. */
  joinMs: number[];
  seconds: number;
}

export interface PhaseResult {
  type: 'phase-done';
  phase: 'steady' | 'saturate';
  sent: number;
  ok: number;
  /** ok acks whose reply arrived before the phase ended (throughput inside the window). */
  okInWindow: number;
  applied: number;
  notApplied: number;
  timeouts: number;
  errors: Record<string, number>;
  /** Save-ack latencies (ms) of every save sent in the phase that was acknowledged ok. */
  latencies: Float64Array;
  /** Wall-clock send time of each latency sample. */
  sentAt: Float64Array;
  signalsSent: number;
  signalsOk: number;
  signalLatencies: Float64Array;
}

export interface FinalReport {
  type: 'final';
  connectedNow: number;
  disconnects: Record<string, number>;
  inFlight: number;
  /** Per student, per question index: the highest seq acknowledged ok, and the highest seq sent. */
  students: { attemptId: string; acked: number[]; sent: number[] }[];
  /** attemptId, signal number (sent as durationMs), wall-clock send time. */
  signals: [string, number, number][];
}

export type FromWorker = ConnectResult | PhaseResult | { type: 'drained'; inFlight: number } | FinalReport;

export const OPTIONS = ['a', 'b', 'c', 'd'] as const;

/** Which question and option a save number writes: deterministic, so the database can be checked against it. */
export function saveContent(seq: number, questionCount: number) {
  const q = (seq - 1) % questionCount;
  const option = OPTIONS[Math.floor((seq - 1) / questionCount) % OPTIONS.length]!;
  return { q, option, flagged: seq % 7 === 0 };
}
