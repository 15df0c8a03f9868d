// Column helpers shared by every domain file. Functions, not shared builder
// instances, so each table gets its own column object.
import { sql } from 'drizzle-orm';
import { timestamp } from 'drizzle-orm/pg-core';

/** timestamptz everywhere: the server, workers and browsers live in different zones. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const createdAt = () => tstz('created_at').notNull().defaultNow();

/** Drizzle sets it on every update issued through the query builder; raw SQL must set it itself. */
export const updatedAt = () =>
  tstz('updated_at')
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** An EVM address (20 bytes, 0x-prefixed hex, any checksum casing). */
export const EVM_ADDRESS_RE = '^0x[0-9a-fA-F]{40}$';
/** A 32-byte hash (tx hash, keccak/sha-256 digest), 0x-prefixed hex. */
export const HASH32_RE = '^0x[0-9a-fA-F]{64}$';

/** A regex as an SQL literal: check constraints cannot take bound parameters. */
export const re = (pattern: string) => sql.raw(`'${pattern.replaceAll("'", "''")}'`);
