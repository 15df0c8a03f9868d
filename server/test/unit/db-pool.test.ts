import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.ts';

describe('the PostgreSQL pool', () => {
  it('keeps idle connections 5 minutes after a burst, not pg’s 10 s', async () => {
    // No connection is opened until a query runs: the address is never dialled.
    const { pool } = createDb('postgres://nobody@127.0.0.1:1/none', 7);
    const options = (pool as unknown as { options: { idleTimeoutMillis: number; max: number } }).options;
    expect(options).toMatchObject({ idleTimeoutMillis: 300_000, max: 7 });
    await pool.end();
  });
});
