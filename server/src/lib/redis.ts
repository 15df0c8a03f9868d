import { Redis } from 'ioredis';

/** Commands fail fast when Redis is away, so HTTP requests answer instead of hanging. */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, { connectionName: name, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', () => {}); // reconnects on its own; health checks report the state
  return redis;
}

/**
 * A client for fire-and-forget publishing (the Socket.IO adapter and emitter call
 * `publish` without awaiting it). While Redis is away those calls reject after their
 * retries; here every such failure is handled by the client itself: one warning when
 * the first push is dropped, one line with the count when Redis is back. So a Redis
 * restart can never surface as an unhandled rejection. Pushes lost meanwhile are
 * best-effort by design: what a page must not miss it re-reads on reconnect.
 */
export function fireAndForgetPublisher(
  client: Redis,
  log: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void },
  what: string,
): Redis {
  let dropped = 0;
  client.on('ready', () => {
    if (dropped) log.info({ what, dropped }, 'Redis is back: pushes resumed');
    dropped = 0;
  });
  const guard =
    (send: (...args: unknown[]) => Promise<number>) =>
    (...args: unknown[]) =>
      send(...args).catch((err: unknown) => {
        if (dropped++ === 0)
          log.warn({ what, err: String(err) }, 'Redis unavailable: dropping pushes until it is back');
        return 0;
      });
  const publish = guard(client.publish.bind(client) as (...args: unknown[]) => Promise<number>);
  const spublish = guard(client.spublish.bind(client) as (...args: unknown[]) => Promise<number>);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'publish') return publish;
      if (prop === 'spublish') return spublish;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/** Waits for replies already on the wire (QUIT), unlike disconnect() which rejects them.
 * A client whose Redis is gone (reconnecting) has nothing on the wire: a QUIT queued behind it
 * would fail after the retries, out of reach of any caller, so it just disconnects. A client
 * still connecting gets the QUIT, so the commands queued before it settle first. */
export async function closeRedis(...clients: Redis[]): Promise<void> {
  const gone = (c: Redis) => c.status === 'reconnecting' || c.status === 'end' || c.status === 'close';
  await Promise.all(clients.map((c) => (gone(c) ? c.disconnect() : c.quit().catch(() => c.disconnect()))));
}
