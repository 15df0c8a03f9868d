// Asking again when the server says it is busy for a moment. A 503 with Retry-After means the
// request changed nothing (the database or Redis away for a few seconds, or a whole class
// claiming its codes at once and outrunning the connection pool): the page waits as long as
// it is told and sends the same request again, instead of telling the student to.
import { ApiRequestError } from './api.ts';

/** Tries in all, the first included: with the server's 5 s, about 40 s before giving up. */
export const BUSY_TRIES = 6;
/** A Retry-After beyond this is a proxy's, not ours: nobody waits an hour on a start page. */
const LONGEST_WAIT_SECONDS = 30;

/** One wait between two tries, for the page to say. */
export type BusyWait = {
  /** Whole seconds until the next try. */
  seconds: number;
  /** The try that comes next (2 for the first retry). */
  next: number;
  /** Tries in all. */
  of: number;
};

export type BusyOptions = {
  /** Called before each wait (and with null once a try is under way again). */
  onWait: (wait: BusyWait | null) => void;
  tries?: number;
  /** Aborted when the page that asked is gone: no further try (it would navigate a page the student left). */
  signal?: AbortSignal;
  /** For tests: the wait itself, and the random share of it. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

/** A refusal that asks to be asked again later, and how many seconds later. */
export function busySeconds(err: unknown): number | undefined {
  if (!(err instanceof ApiRequestError) || err.status !== 503 || err.retryAfterSeconds === undefined) return undefined;
  return Math.min(Math.max(err.retryAfterSeconds, 1), LONGEST_WAIT_SECONDS);
}

/**
 * `attempt()`, again after each busy refusal, up to `tries` in all; any other outcome (an
 * answer, or a refusal that is not busy, or the last busy one) is the caller's. Each wait is
 * the seconds asked for plus up to half again at random, so a class that was refused at once
 * does not come back at once.
 */
export async function whileBusy<T>(attempt: () => Promise<T>, options: BusyOptions): Promise<T> {
  const tries = options.tries ?? BUSY_TRIES;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      const asked = busySeconds(err);
      if (asked === undefined || n >= tries) throw err;
      const ms = Math.round(asked * 1000 * (1 + random() / 2));
      options.onWait({ seconds: Math.ceil(ms / 1000), next: n + 1, of: tries });
      await sleep(ms);
      if (options.signal?.aborted) throw err;
      options.onWait(null);
    }
  }
}

/** The wait in words, for a status line. */
export function busyMessage(wait: BusyWait): string {
  const seconds = wait.seconds === 1 ? '1 second' : `${wait.seconds} seconds`;
  return `Exam Hall is busy for a moment. Trying again in ${seconds} (try ${wait.next} of ${wait.of})…`;
}
