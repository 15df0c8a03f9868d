-- Autosave no longer rewrites the attempt row (group commit, attempts.save.repository.ts): the
-- highest applied sequence is max(answers.seq) of the attempt, so last_seq goes.
ALTER TABLE "attempts" DROP CONSTRAINT "attempts_last_seq_ck";--> statement-breakpoint
ALTER TABLE "attempts" DROP COLUMN "last_seq";