CREATE TABLE "attempt_resume_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid NOT NULL,
	"code_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"voided_at" timestamp with time zone,
	"issued_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attempt_resume_codes_code_hash_uq" UNIQUE("code_hash"),
	CONSTRAINT "attempt_resume_codes_used_or_voided_ck" CHECK ("attempt_resume_codes"."used_at" is null or "attempt_resume_codes"."voided_at" is null)
);
--> statement-breakpoint
ALTER TABLE "attempt_resume_codes" ADD CONSTRAINT "attempt_resume_codes_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempt_resume_codes" ADD CONSTRAINT "attempt_resume_codes_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempt_resume_codes_attempt_idx" ON "attempt_resume_codes" USING btree ("attempt_id");