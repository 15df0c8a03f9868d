import { Redis } from 'ioredis';

/** Commands fail fast when Redis is away, so HTTP requests answer instead of hanging. */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, { connectionName: name, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.on('error', () => {}); // reconnects on its own; health checks report the state
  return redis;
}

/** Waits for replies already on the wire (QUIT), unlike disconnect() which rejects them. */
export async function closeRedis(...clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
}
