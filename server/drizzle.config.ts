// drizzle-kit configuration. `generate` only diffs the schema against the
// snapshots in ./drizzle; it never connects, so the URL matters only for
// migrate/push/studio.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'postgres://localhost/exam_hall',
  },
  strict: true,
  verbose: true,
});
