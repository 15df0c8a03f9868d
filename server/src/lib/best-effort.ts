/**
 * Waits for `work` at most `ms`, then carries on whatever happened: for side work whose
 * loss a reconciler repairs (a BullMQ job while Redis is away: BullMQ waits for the
 * connection rather than failing), so the request in front of it never hangs on it.
 * A failure that comes later is swallowed, never an unhandled rejection.
 */
export async function bestEffort(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
