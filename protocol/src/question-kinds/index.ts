export * from './ids.ts';
export * from './text-answers.ts';
export * from './essay.ts';
export * from './arrangement.ts';
export * from './fill-blanks.ts';
export * from './key-problems.ts';
export * from './choice.ts';
