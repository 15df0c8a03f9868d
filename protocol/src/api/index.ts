// Every HTTP contract, one table per domain.
export * from './accommodations.ts';
export * from './accounts.ts';
export * from './attempts.ts';
export * from './attendance.ts';
export * from './audit.ts';
export * from './banks.ts';
export * from './auth.ts';
export * from './certificates.ts';
export * from './courses.ts';
export * from './exams.ts';
export * from './hall.ts';
export * from './participants.ts';
export * from './questions.ts';
export * from './results.ts';
export * from './users.ts';
export * from './verification.ts';
export * from './zoom.ts';
