ALTER TABLE "certificates" DROP CONSTRAINT "certificates_attempt_uq";--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "score_override_reason" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "score_overridden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "revoke_tx_hash" text;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "revoked_on_chain_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "certificates" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_live_attempt_uq" ON "certificates" USING btree ("attempt_id") WHERE "certificates"."status" <> 'revoked';--> statement-breakpoint
CREATE INDEX "certificates_attempt_idx" ON "certificates" USING btree ("attempt_id");--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_revoke_tx_hash_ck" CHECK ("certificates"."revoke_tx_hash" is null or "certificates"."revoke_tx_hash" ~ '^0x[0-9a-fA-F]{64}$');