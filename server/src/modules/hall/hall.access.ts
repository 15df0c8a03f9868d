// Moved: the rules are in policy/access.ts, the loaders next to their domain. Kept only
// until the last importers (hall.service.ts, socket/handlers.ts) are updated.
export { loadWatchableExam } from '../exams/exams.service.ts';
export { loadOwnAttempt } from '../attempts/attempts.service.ts';
export type { AttemptPrincipal as HallPrincipal } from '../../policy/access.ts';
export { watchableExamsFilter } from '../../policy/access.sql.ts';
