CREATE TYPE "public"."section_kind" AS ENUM('fixed', 'random');--> statement-breakpoint
CREATE TYPE "public"."appeal_status" AS ENUM('open', 'upheld', 'overturned');--> statement-breakpoint
CREATE TYPE "public"."alert_action" AS ENUM('ignored', 'warning_sent', 'session_flagged', 'session_terminated');--> statement-breakpoint
CREATE TABLE "exam_sections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"exam_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text,
	"kind" "section_kind" NOT NULL,
	"bank_id" uuid NOT NULL,
	"question_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"tag" text,
	"difficulty" "question_difficulty",
	"draw_count" integer DEFAULT 0 NOT NULL,
	"points_each" numeric(8, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_sections_draw_ck" CHECK ("exam_sections"."kind" <> 'random' or "exam_sections"."draw_count" between 1 and 500),
	CONSTRAINT "exam_sections_points_ck" CHECK ("exam_sections"."points_each" is null or "exam_sections"."points_each" > 0),
	CONSTRAINT "exam_sections_position_ck" CHECK ("exam_sections"."position" >= 0)
);
--> statement-breakpoint
CREATE TABLE "question_banks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"created_by" uuid,
	"deleted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "question_banks_name_ck" CHECK (char_length("question_banks"."name") between 1 and 200)
);
--> statement-breakpoint
CREATE TABLE "attempt_appeals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"message" text NOT NULL,
	"status" "appeal_status" DEFAULT 'open' NOT NULL,
	"resolution_note" text,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attempt_appeals_attempt_uq" UNIQUE("attempt_id"),
	CONSTRAINT "attempt_appeals_message_ck" CHECK (char_length("attempt_appeals"."message") between 1 and 2000),
	CONSTRAINT "attempt_appeals_resolved_ck" CHECK ("attempt_appeals"."status" = 'open' or "attempt_appeals"."resolved_at" is not null)
);
--> statement-breakpoint
ALTER TABLE "questions" ALTER COLUMN "exam_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "exams" ADD COLUMN "code" text;--> statement-breakpoint
ALTER TABLE "exams" ADD COLUMN "blind_grading" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "exams" ADD COLUMN "review_risk_threshold" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "questions" ADD COLUMN "bank_id" uuid;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "extra_time_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "extra_time_percent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "window_starts_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "window_ends_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "extra_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "accommodation_updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD COLUMN "joined_with_exam_code" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "needs_manual" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "manual_points" numeric(10, 2);--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "feedback" text;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "rubric_marks" jsonb;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "marked_by" uuid;--> statement-breakpoint
ALTER TABLE "answers" ADD COLUMN "marked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "accommodation_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "drawn_questions" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "manual_pending" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attempts" ADD COLUMN "manual_review_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD COLUMN "action" "alert_action";--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD COLUMN "action_by" uuid;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD COLUMN "action_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "exam_sections" ADD CONSTRAINT "exam_sections_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_sections" ADD CONSTRAINT "exam_sections_bank_id_question_banks_id_fk" FOREIGN KEY ("bank_id") REFERENCES "public"."question_banks"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_banks" ADD CONSTRAINT "question_banks_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_banks" ADD CONSTRAINT "question_banks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempt_appeals" ADD CONSTRAINT "attempt_appeals_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempt_appeals" ADD CONSTRAINT "attempt_appeals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempt_appeals" ADD CONSTRAINT "attempt_appeals_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "exam_sections_exam_position_uq" ON "exam_sections" USING btree ("exam_id","position");--> statement-breakpoint
CREATE INDEX "exam_sections_bank_idx" ON "exam_sections" USING btree ("bank_id");--> statement-breakpoint
CREATE INDEX "question_banks_course_idx" ON "question_banks" USING btree ("course_id");--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_bank_id_question_banks_id_fk" FOREIGN KEY ("bank_id") REFERENCES "public"."question_banks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_marked_by_users_id_fk" FOREIGN KEY ("marked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD CONSTRAINT "proctoring_events_action_by_users_id_fk" FOREIGN KEY ("action_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "exams_code_uq" ON "exams" USING btree ("code") WHERE "exams"."code" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "questions_bank_position_uq" ON "questions" USING btree ("bank_id","position");--> statement-breakpoint
CREATE INDEX "questions_bank_active_idx" ON "questions" USING btree ("bank_id","is_active");--> statement-breakpoint
CREATE INDEX "answers_needs_manual_idx" ON "answers" USING btree ("attempt_id") WHERE "answers"."needs_manual";--> statement-breakpoint
CREATE INDEX "attempts_exam_review_idx" ON "attempts" USING btree ("exam_id") WHERE "attempts"."manual_review_required";--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_code_ck" CHECK ("exams"."code" is null or "exams"."code" ~ '^[A-Z0-9]{6,8}$');--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_review_risk_threshold_ck" CHECK ("exams"."review_risk_threshold" between 0 and 100);--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_owner_ck" CHECK (("questions"."exam_id" is null) <> ("questions"."bank_id" is null));--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_extra_time_ck" CHECK ("exam_participants"."extra_time_minutes" between 0 and 1440 and "exam_participants"."extra_time_percent" between 0 and 300);--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_extra_attempts_ck" CHECK ("exam_participants"."extra_attempts" between 0 and 20);--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_window_ck" CHECK (("exam_participants"."window_starts_at" is null) = ("exam_participants"."window_ends_at" is null) and ("exam_participants"."window_ends_at" is null or "exam_participants"."window_ends_at" > "exam_participants"."window_starts_at"));--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_manual_points_ck" CHECK ("answers"."manual_points" is null or "answers"."manual_points" >= 0);--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_manual_pending_ck" CHECK ("attempts"."manual_pending" >= 0);--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_accommodation_ck" CHECK ("attempts"."accommodation_seconds" >= 0);