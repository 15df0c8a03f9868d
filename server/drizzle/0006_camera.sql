CREATE TABLE "proctoring_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"attempt_id" uuid NOT NULL,
	"exam_id" uuid NOT NULL,
	"sealed" "bytea",
	"key_id" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "proctoring_evidence_bytes_ck" CHECK ("proctoring_evidence"."bytes" > 0),
	CONSTRAINT "proctoring_evidence_deleted_ck" CHECK (("proctoring_evidence"."deleted_at" is null) = ("proctoring_evidence"."sealed" is not null))
);
--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "camera_consent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "camera_state" text;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "camera_state_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "face_reference" real[];--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "face_verification_completed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "face_verification_score" real;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD COLUMN "confidence" real;--> statement-breakpoint
ALTER TABLE "proctoring_evidence" ADD CONSTRAINT "proctoring_evidence_event_id_proctoring_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."proctoring_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_evidence" ADD CONSTRAINT "proctoring_evidence_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_evidence" ADD CONSTRAINT "proctoring_evidence_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "proctoring_evidence_event_uq" ON "proctoring_evidence" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "proctoring_evidence_attempt_idx" ON "proctoring_evidence" USING btree ("attempt_id");--> statement-breakpoint
CREATE INDEX "proctoring_evidence_due_idx" ON "proctoring_evidence" USING btree ("expires_at") WHERE "proctoring_evidence"."deleted_at" is null;