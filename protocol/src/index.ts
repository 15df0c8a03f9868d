export * from './errors.ts';
export * from './auth.ts';
export * from './socket.ts';
export * from './jobs.ts';
