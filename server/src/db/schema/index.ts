// The whole schema, for drizzle(pool, { schema }) and drizzle-kit.
export * from './users.ts';
export * from './courses.ts';
export * from './exams.ts';
export * from './banks.ts';
export * from './questions.ts';
export * from './participants.ts';
export * from './attempts.ts';
export * from './proctoring.ts';
export * from './zoom.ts';
export * from './certificates.ts';
export * from './audit.ts';
export * from './lti.ts';
