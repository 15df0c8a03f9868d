CREATE TYPE "public"."role" AS ENUM('admin', 'teacher', 'proctor', 'student');--> statement-breakpoint
CREATE TYPE "public"."user_status" AS ENUM('active', 'invited', 'suspended');--> statement-breakpoint
CREATE TYPE "public"."course_level" AS ENUM('beginner', 'intermediate', 'advanced');--> statement-breakpoint
CREATE TYPE "public"."enrollment_role" AS ENUM('student', 'teacher', 'proctor');--> statement-breakpoint
CREATE TYPE "public"."enrollment_status" AS ENUM('active', 'dropped');--> statement-breakpoint
CREATE TYPE "public"."disconnect_policy" AS ENUM('strict', 'credit');--> statement-breakpoint
CREATE TYPE "public"."exam_status" AS ENUM('draft', 'published', 'archived');--> statement-breakpoint
CREATE TYPE "public"."partial_credit_rule" AS ENUM('all_or_nothing', 'proportional');--> statement-breakpoint
CREATE TYPE "public"."question_difficulty" AS ENUM('easy', 'medium', 'hard');--> statement-breakpoint
CREATE TYPE "public"."results_policy" AS ENUM('immediately', 'on_release');--> statement-breakpoint
CREATE TYPE "public"."access_code_status" AS ENUM('unused', 'used', 'voided');--> statement-breakpoint
CREATE TYPE "public"."attempt_review_status" AS ENUM('pending', 'approved', 'flagged', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."attempt_status" AS ENUM('not_started', 'in_progress', 'paused', 'submitted', 'expired', 'abandoned', 'invalidated');--> statement-breakpoint
CREATE TYPE "public"."presence_source" AS ENUM('hall', 'zoom');--> statement-breakpoint
CREATE TYPE "public"."proctoring_review_status" AS ENUM('open', 'acknowledged', 'dismissed', 'flagged');--> statement-breakpoint
CREATE TYPE "public"."proctoring_severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."attendance_source" AS ENUM('webhook', 'report', 'manual');--> statement-breakpoint
CREATE TYPE "public"."attendance_status" AS ENUM('present', 'late', 'partial', 'absent');--> statement-breakpoint
CREATE TYPE "public"."participation_source" AS ENUM('webhook', 'report');--> statement-breakpoint
CREATE TYPE "public"."registrant_status" AS ENUM('registered', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."zoom_meeting_status" AS ENUM('scheduled', 'started', 'ended');--> statement-breakpoint
CREATE TYPE "public"."certificate_status" AS ENUM('pending', 'minting', 'issued', 'failed', 'revoked');--> statement-breakpoint
CREATE TYPE "public"."verification_method" AS ENUM('public_id', 'qr', 'tx_hash', 'token_id');--> statement-breakpoint
CREATE TYPE "public"."verification_result" AS ENUM('valid', 'revoked', 'tampered', 'not_found', 'error');--> statement-breakpoint
CREATE TABLE "session_refresh_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone,
	CONSTRAINT "session_refresh_tokens_token_hash_uq" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"access_token_hash" text NOT NULL,
	"access_expires_at" timestamp with time zone NOT NULL,
	"refresh_token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"user_agent" text,
	"ip_hash" text,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_access_token_hash_uq" UNIQUE("access_token_hash"),
	CONSTRAINT "sessions_refresh_token_hash_uq" UNIQUE("refresh_token_hash")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"password_hash" text,
	"name" text NOT NULL,
	"role" "role" DEFAULT 'student' NOT NULL,
	"status" "user_status" DEFAULT 'active' NOT NULL,
	"wallet_address" text,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_lowercase_ck" CHECK ("users"."email" = lower("users"."email")),
	CONSTRAINT "users_wallet_address_ck" CHECK ("users"."wallet_address" is null or "users"."wallet_address" ~ '^0x[0-9a-fA-F]{40}$')
);
--> statement-breakpoint
CREATE TABLE "courses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"teacher_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"subject" text,
	"level" "course_level",
	"allowed_email_domains" text[] DEFAULT '{}'::text[] NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"enrollment_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "courses_name_ck" CHECK (char_length("courses"."name") between 1 and 200),
	CONSTRAINT "courses_enrollment_count_ck" CHECK ("courses"."enrollment_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "enrollments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "enrollment_role" DEFAULT 'student' NOT NULL,
	"status" "enrollment_status" DEFAULT 'active' NOT NULL,
	"enrolled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exams" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"course_id" uuid,
	"created_by" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"instructions" text,
	"duration_minutes" integer NOT NULL,
	"available_anytime" boolean DEFAULT false NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"shuffle_questions" boolean DEFAULT false NOT NULL,
	"shuffle_options" boolean DEFAULT false NOT NULL,
	"passing_score" numeric(5, 2) DEFAULT 50 NOT NULL,
	"max_attempts" integer DEFAULT 1 NOT NULL,
	"allow_review" boolean DEFAULT false NOT NULL,
	"results_policy" "results_policy" DEFAULT 'on_release' NOT NULL,
	"results_released_at" timestamp with time zone,
	"partial_credit_rule" "partial_credit_rule" DEFAULT 'all_or_nothing' NOT NULL,
	"partial_credit_penalty" numeric(4, 3) DEFAULT 0 NOT NULL,
	"proctoring" jsonb DEFAULT '{"enabled":false,"requireFullscreen":false,"blockCopyPaste":false,"strictMode":false}'::jsonb NOT NULL,
	"disconnect_policy" "disconnect_policy" DEFAULT 'strict' NOT NULL,
	"disconnect_credit_max_minutes" integer DEFAULT 0 NOT NULL,
	"issue_certificates" boolean DEFAULT false NOT NULL,
	"status" "exam_status" DEFAULT 'draft' NOT NULL,
	"published_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"question_count" integer DEFAULT 0 NOT NULL,
	"total_points" numeric(10, 2) DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exams_title_ck" CHECK (char_length("exams"."title") between 3 and 200),
	CONSTRAINT "exams_description_ck" CHECK ("exams"."description" is null or char_length("exams"."description") <= 1000),
	CONSTRAINT "exams_duration_ck" CHECK ("exams"."duration_minutes" between 1 and 1440),
	CONSTRAINT "exams_window_ck" CHECK ("exams"."available_anytime" or ("exams"."starts_at" is not null and "exams"."ends_at" is not null and "exams"."ends_at" > "exams"."starts_at")),
	CONSTRAINT "exams_passing_score_ck" CHECK ("exams"."passing_score" between 0 and 100),
	CONSTRAINT "exams_max_attempts_ck" CHECK ("exams"."max_attempts" >= 1),
	CONSTRAINT "exams_partial_credit_penalty_ck" CHECK ("exams"."partial_credit_penalty" between 0 and 1),
	CONSTRAINT "exams_disconnect_credit_ck" CHECK ("exams"."disconnect_credit_max_minutes" between 0 and 1440),
	CONSTRAINT "exams_published_at_ck" CHECK ("exams"."status" <> 'published' or "exams"."published_at" is not null),
	CONSTRAINT "exams_question_count_ck" CHECK ("exams"."question_count" >= 0),
	CONSTRAINT "exams_total_points_ck" CHECK ("exams"."total_points" >= 0)
);
--> statement-breakpoint
CREATE TABLE "questions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"exam_id" uuid NOT NULL,
	"type" text NOT NULL,
	"prompt" text NOT NULL,
	"content" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"answer_key" jsonb NOT NULL,
	"points" numeric(8, 2) DEFAULT 1 NOT NULL,
	"explanation" text,
	"difficulty" "question_difficulty",
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"position" integer NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "questions_type_ck" CHECK ("questions"."type" ~ '^[a-z][a-z0-9_]*$'),
	CONSTRAINT "questions_points_ck" CHECK ("questions"."points" > 0),
	CONSTRAINT "questions_position_ck" CHECK ("questions"."position" >= 0)
);
--> statement-breakpoint
CREATE TABLE "exam_participants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"exam_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"email" text NOT NULL,
	"access_code_hash" text NOT NULL,
	"access_code_hint" text,
	"code_status" "access_code_status" DEFAULT 'unused' NOT NULL,
	"code_used_at" timestamp with time zone,
	"code_issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"added_by" uuid,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exam_participants_access_code_hash_uq" UNIQUE("access_code_hash"),
	CONSTRAINT "exam_participants_email_lowercase_ck" CHECK ("exam_participants"."email" = lower("exam_participants"."email")),
	CONSTRAINT "exam_participants_code_used_ck" CHECK ("exam_participants"."code_status" <> 'used' or "exam_participants"."code_used_at" is not null),
	CONSTRAINT "exam_participants_code_hint_ck" CHECK ("exam_participants"."access_code_hint" is null or char_length("exam_participants"."access_code_hint") <= 4)
);
--> statement-breakpoint
CREATE TABLE "answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid NOT NULL,
	"question_id" uuid NOT NULL,
	"response" jsonb,
	"flagged" boolean DEFAULT false NOT NULL,
	"seq" bigint DEFAULT 0 NOT NULL,
	"time_spent_seconds" integer DEFAULT 0 NOT NULL,
	"answered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"points_awarded" numeric(10, 2),
	"is_correct" boolean,
	CONSTRAINT "answers_seq_ck" CHECK ("answers"."seq" >= 0),
	CONSTRAINT "answers_time_spent_ck" CHECK ("answers"."time_spent_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "attempts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"exam_id" uuid NOT NULL,
	"participant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"status" "attempt_status" DEFAULT 'not_started' NOT NULL,
	"attempt_number" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp with time zone,
	"deadline_at" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"paused_total_seconds" integer DEFAULT 0 NOT NULL,
	"extra_seconds" integer DEFAULT 0 NOT NULL,
	"disconnect_credit_seconds" integer DEFAULT 0 NOT NULL,
	"last_activity_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"ended_reason" text,
	"question_order" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"option_order" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"score" numeric(10, 2),
	"max_score" numeric(10, 2),
	"percentage" numeric(5, 2),
	"passed" boolean,
	"graded_at" timestamp with time zone,
	"graded_by" uuid,
	"risk_score" integer DEFAULT 0 NOT NULL,
	"review_status" "attempt_review_status",
	"reviewed_by" uuid,
	"review_note" text,
	"attempt_token_hash" text,
	"ip_hash" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attempts_attempt_token_hash_uq" UNIQUE("attempt_token_hash"),
	CONSTRAINT "attempts_attempt_number_ck" CHECK ("attempts"."attempt_number" >= 1),
	CONSTRAINT "attempts_started_ck" CHECK ("attempts"."status" not in ('in_progress', 'paused', 'submitted', 'expired') or ("attempts"."started_at" is not null and "attempts"."deadline_at" is not null)),
	CONSTRAINT "attempts_paused_ck" CHECK ("attempts"."status" <> 'paused' or "attempts"."paused_at" is not null),
	CONSTRAINT "attempts_submitted_ck" CHECK ("attempts"."status" <> 'submitted' or "attempts"."submitted_at" is not null),
	CONSTRAINT "attempts_seconds_ck" CHECK ("attempts"."paused_total_seconds" >= 0 and "attempts"."extra_seconds" >= 0 and "attempts"."disconnect_credit_seconds" >= 0),
	CONSTRAINT "attempts_last_seq_ck" CHECK ("attempts"."last_seq" >= 0),
	CONSTRAINT "attempts_percentage_ck" CHECK ("attempts"."percentage" is null or "attempts"."percentage" between 0 and 100),
	CONSTRAINT "attempts_score_ck" CHECK ("attempts"."score" is null or "attempts"."score" >= 0),
	CONSTRAINT "attempts_risk_score_ck" CHECK ("attempts"."risk_score" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "presence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid,
	"user_id" uuid NOT NULL,
	"exam_id" uuid,
	"connection_id" text NOT NULL,
	"device_id" text,
	"source" "presence_source" DEFAULT 'hall' NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"ip_hash" text,
	CONSTRAINT "presence_left_after_joined_ck" CHECK ("presence"."left_at" is null or "presence"."left_at" >= "presence"."joined_at")
);
--> statement-breakpoint
CREATE TABLE "proctoring_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"attempt_id" uuid NOT NULL,
	"exam_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"type" text NOT NULL,
	"severity" "proctoring_severity" NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"client_event_id" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"review_status" "proctoring_review_status" DEFAULT 'open' NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone,
	"review_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attendance_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"course_id" uuid,
	"session_date" date NOT NULL,
	"status" "attendance_status" NOT NULL,
	"first_join_at" timestamp with time zone,
	"last_leave_at" timestamp with time zone,
	"total_seconds" integer DEFAULT 0 NOT NULL,
	"segments_count" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"source" "attendance_source" DEFAULT 'report' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attendance_records_counts_ck" CHECK ("attendance_records"."total_seconds" >= 0 and "attendance_records"."segments_count" >= 0),
	CONSTRAINT "attendance_records_absent_ck" CHECK ("attendance_records"."status" = 'absent' or "attendance_records"."source" = 'manual' or "attendance_records"."first_join_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "meeting_participation" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"user_id" uuid,
	"zoom_participant_uuid" text NOT NULL,
	"zoom_user_id" text,
	"registrant_id" text,
	"name" text,
	"email" text,
	"joined_at" timestamp with time zone NOT NULL,
	"left_at" timestamp with time zone,
	"duration_seconds" integer,
	"leave_reason" text,
	"source" "participation_source" NOT NULL,
	"ip_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meeting_participation_left_after_joined_ck" CHECK ("meeting_participation"."left_at" is null or "meeting_participation"."left_at" >= "meeting_participation"."joined_at"),
	CONSTRAINT "meeting_participation_duration_ck" CHECK ("meeting_participation"."duration_seconds" is null or "meeting_participation"."duration_seconds" >= 0)
);
--> statement-breakpoint
CREATE TABLE "meeting_registrants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"email" text NOT NULL,
	"zoom_registrant_id" text,
	"join_url" text,
	"status" "registrant_status" DEFAULT 'registered' NOT NULL,
	"last_error" text,
	"registered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "meeting_registrants_registered_ck" CHECK ("meeting_registrants"."status" <> 'registered' or "meeting_registrants"."zoom_registrant_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "zoom_meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"zoom_meeting_id" text NOT NULL,
	"zoom_uuid" text,
	"host_id" text,
	"host_user_id" uuid,
	"topic" text NOT NULL,
	"start_time" timestamp with time zone,
	"duration_minutes" integer,
	"timezone" text,
	"join_url" text,
	"registration_required" boolean DEFAULT false NOT NULL,
	"course_id" uuid,
	"exam_id" uuid,
	"status" "zoom_meeting_status" DEFAULT 'scheduled' NOT NULL,
	"late_after_minutes" integer DEFAULT 10 NOT NULL,
	"partial_below_percent" integer DEFAULT 75 NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "zoom_meetings_zoom_meeting_id_uq" UNIQUE("zoom_meeting_id"),
	CONSTRAINT "zoom_meetings_duration_ck" CHECK ("zoom_meetings"."duration_minutes" is null or "zoom_meetings"."duration_minutes" > 0),
	CONSTRAINT "zoom_meetings_late_after_ck" CHECK ("zoom_meetings"."late_after_minutes" >= 0),
	CONSTRAINT "zoom_meetings_partial_below_ck" CHECK ("zoom_meetings"."partial_below_percent" between 0 and 100),
	CONSTRAINT "zoom_meetings_ended_after_started_ck" CHECK ("zoom_meetings"."ended_at" is null or "zoom_meetings"."started_at" is null or "zoom_meetings"."ended_at" >= "zoom_meetings"."started_at")
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"exam_id" uuid NOT NULL,
	"attempt_id" uuid NOT NULL,
	"public_id" text NOT NULL,
	"status" "certificate_status" DEFAULT 'pending' NOT NULL,
	"metadata" jsonb NOT NULL,
	"metadata_hash" text NOT NULL,
	"recipient_address" text,
	"chain_id" integer,
	"contract_address" text,
	"token_id" numeric(78, 0),
	"tx_hash" text,
	"block_number" bigint,
	"gas_used" bigint,
	"issued_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_reason" text,
	"revoked_by" uuid,
	"retry_count" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certificates_attempt_uq" UNIQUE("attempt_id"),
	CONSTRAINT "certificates_public_id_uq" UNIQUE("public_id"),
	CONSTRAINT "certificates_public_id_ck" CHECK ("certificates"."public_id" ~ '^[A-Za-z0-9_-]{22,}$'),
	CONSTRAINT "certificates_metadata_hash_ck" CHECK ("certificates"."metadata_hash" ~ '^0x[0-9a-fA-F]{64}$'),
	CONSTRAINT "certificates_recipient_address_ck" CHECK ("certificates"."recipient_address" is null or "certificates"."recipient_address" ~ '^0x[0-9a-fA-F]{40}$'),
	CONSTRAINT "certificates_contract_address_ck" CHECK ("certificates"."contract_address" is null or "certificates"."contract_address" ~ '^0x[0-9a-fA-F]{40}$'),
	CONSTRAINT "certificates_tx_hash_ck" CHECK ("certificates"."tx_hash" is null or "certificates"."tx_hash" ~ '^0x[0-9a-fA-F]{64}$'),
	CONSTRAINT "certificates_token_id_ck" CHECK ("certificates"."token_id" is null or "certificates"."token_id" >= 0),
	CONSTRAINT "certificates_issued_ck" CHECK ("certificates"."status" <> 'issued' or ("certificates"."token_id" is not null and "certificates"."tx_hash" is not null and "certificates"."chain_id" is not null and "certificates"."contract_address" is not null and "certificates"."issued_at" is not null)),
	CONSTRAINT "certificates_revoked_ck" CHECK ("certificates"."status" <> 'revoked' or "certificates"."revoked_at" is not null),
	CONSTRAINT "certificates_retry_count_ck" CHECK ("certificates"."retry_count" >= 0)
);
--> statement-breakpoint
CREATE TABLE "verification_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certificate_id" uuid,
	"method" "verification_method" NOT NULL,
	"lookup_value" text NOT NULL,
	"ip_hash" text,
	"user_agent" text,
	"result" "verification_result" NOT NULL,
	"response_ms" integer NOT NULL,
	"chain_ms" integer,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "verification_requests_timing_ck" CHECK ("verification_requests"."response_ms" >= 0 and ("verification_requests"."chain_ms" is null or "verification_requests"."chain_ms" >= 0))
);
--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor_id" uuid,
	"actor_role" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"ip_hash" text,
	"request_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "session_refresh_tokens" ADD CONSTRAINT "session_refresh_tokens_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "courses" ADD CONSTRAINT "courses_teacher_id_users_id_fk" FOREIGN KEY ("teacher_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exams" ADD CONSTRAINT "exams_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "questions" ADD CONSTRAINT "questions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exam_participants" ADD CONSTRAINT "exam_participants_added_by_users_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "answers" ADD CONSTRAINT "answers_question_id_questions_id_fk" FOREIGN KEY ("question_id") REFERENCES "public"."questions"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_participant_id_exam_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."exam_participants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_graded_by_users_id_fk" FOREIGN KEY ("graded_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempts" ADD CONSTRAINT "attempts_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD CONSTRAINT "proctoring_events_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD CONSTRAINT "proctoring_events_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD CONSTRAINT "proctoring_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "proctoring_events" ADD CONSTRAINT "proctoring_events_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_records" ADD CONSTRAINT "attendance_records_meeting_id_zoom_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."zoom_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_records" ADD CONSTRAINT "attendance_records_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attendance_records" ADD CONSTRAINT "attendance_records_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_participation" ADD CONSTRAINT "meeting_participation_meeting_id_zoom_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."zoom_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_participation" ADD CONSTRAINT "meeting_participation_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_registrants" ADD CONSTRAINT "meeting_registrants_meeting_id_zoom_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."zoom_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_registrants" ADD CONSTRAINT "meeting_registrants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_meetings" ADD CONSTRAINT "zoom_meetings_host_user_id_users_id_fk" FOREIGN KEY ("host_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_meetings" ADD CONSTRAINT "zoom_meetings_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_meetings" ADD CONSTRAINT "zoom_meetings_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_exam_id_exams_id_fk" FOREIGN KEY ("exam_id") REFERENCES "public"."exams"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_attempt_id_attempts_id_fk" FOREIGN KEY ("attempt_id") REFERENCES "public"."attempts"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_requests" ADD CONSTRAINT "verification_requests_certificate_id_certificates_id_fk" FOREIGN KEY ("certificate_id") REFERENCES "public"."certificates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD CONSTRAINT "audit_logs_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_refresh_tokens_session_idx" ON "session_refresh_tokens" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "sessions_user_revoked_idx" ON "sessions" USING btree ("user_id","revoked_at");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_uq" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "users_role_idx" ON "users" USING btree ("role");--> statement-breakpoint
CREATE INDEX "users_status_idx" ON "users" USING btree ("status");--> statement-breakpoint
CREATE INDEX "courses_teacher_idx" ON "courses" USING btree ("teacher_id");--> statement-breakpoint
CREATE INDEX "courses_is_active_idx" ON "courses" USING btree ("is_active");--> statement-breakpoint
CREATE INDEX "courses_subject_idx" ON "courses" USING btree ("subject");--> statement-breakpoint
CREATE UNIQUE INDEX "enrollments_course_user_uq" ON "enrollments" USING btree ("course_id","user_id");--> statement-breakpoint
CREATE INDEX "enrollments_user_idx" ON "enrollments" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "exams_course_idx" ON "exams" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "exams_created_by_deleted_idx" ON "exams" USING btree ("created_by","deleted_at");--> statement-breakpoint
CREATE INDEX "exams_status_idx" ON "exams" USING btree ("status");--> statement-breakpoint
CREATE INDEX "exams_window_idx" ON "exams" USING btree ("starts_at","ends_at");--> statement-breakpoint
CREATE UNIQUE INDEX "questions_exam_position_uq" ON "questions" USING btree ("exam_id","position");--> statement-breakpoint
CREATE INDEX "questions_exam_active_idx" ON "questions" USING btree ("exam_id","is_active");--> statement-breakpoint
CREATE INDEX "questions_type_idx" ON "questions" USING btree ("type");--> statement-breakpoint
CREATE UNIQUE INDEX "exam_participants_exam_user_uq" ON "exam_participants" USING btree ("exam_id","user_id");--> statement-breakpoint
CREATE INDEX "exam_participants_user_idx" ON "exam_participants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "exam_participants_email_idx" ON "exam_participants" USING btree ("email");--> statement-breakpoint
CREATE INDEX "exam_participants_exam_code_status_idx" ON "exam_participants" USING btree ("exam_id","code_status");--> statement-breakpoint
CREATE UNIQUE INDEX "answers_attempt_question_uq" ON "answers" USING btree ("attempt_id","question_id");--> statement-breakpoint
CREATE INDEX "answers_question_idx" ON "answers" USING btree ("question_id");--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_participant_number_uq" ON "attempts" USING btree ("participant_id","attempt_number");--> statement-breakpoint
CREATE UNIQUE INDEX "attempts_one_live_per_participant_uq" ON "attempts" USING btree ("participant_id") WHERE "attempts"."status" in ('in_progress', 'paused');--> statement-breakpoint
CREATE INDEX "attempts_exam_status_idx" ON "attempts" USING btree ("exam_id","status");--> statement-breakpoint
CREATE INDEX "attempts_user_status_idx" ON "attempts" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "attempts_status_deadline_idx" ON "attempts" USING btree ("status","deadline_at");--> statement-breakpoint
CREATE INDEX "attempts_created_at_idx" ON "attempts" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "presence_attempt_joined_idx" ON "presence" USING btree ("attempt_id","joined_at");--> statement-breakpoint
CREATE INDEX "presence_user_joined_idx" ON "presence" USING btree ("user_id","joined_at");--> statement-breakpoint
CREATE INDEX "presence_exam_open_idx" ON "presence" USING btree ("exam_id") WHERE "presence"."left_at" is null;--> statement-breakpoint
CREATE INDEX "proctoring_events_attempt_occurred_idx" ON "proctoring_events" USING btree ("attempt_id","occurred_at");--> statement-breakpoint
CREATE INDEX "proctoring_events_exam_occurred_idx" ON "proctoring_events" USING btree ("exam_id","occurred_at");--> statement-breakpoint
CREATE INDEX "proctoring_events_type_severity_idx" ON "proctoring_events" USING btree ("type","severity");--> statement-breakpoint
CREATE INDEX "proctoring_events_review_status_idx" ON "proctoring_events" USING btree ("review_status");--> statement-breakpoint
CREATE INDEX "proctoring_events_user_occurred_idx" ON "proctoring_events" USING btree ("user_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "proctoring_events_client_event_uq" ON "proctoring_events" USING btree ("attempt_id","client_event_id") WHERE "proctoring_events"."client_event_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "attendance_records_meeting_user_uq" ON "attendance_records" USING btree ("meeting_id","user_id");--> statement-breakpoint
CREATE INDEX "attendance_records_course_date_idx" ON "attendance_records" USING btree ("course_id","session_date");--> statement-breakpoint
CREATE INDEX "attendance_records_user_idx" ON "attendance_records" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_participation_dedupe_uq" ON "meeting_participation" USING btree ("meeting_id","zoom_participant_uuid","joined_at","source");--> statement-breakpoint
CREATE INDEX "meeting_participation_meeting_user_idx" ON "meeting_participation" USING btree ("meeting_id","user_id");--> statement-breakpoint
CREATE INDEX "meeting_participation_user_idx" ON "meeting_participation" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "meeting_registrants_meeting_user_uq" ON "meeting_registrants" USING btree ("meeting_id","user_id");--> statement-breakpoint
CREATE INDEX "meeting_registrants_zoom_registrant_idx" ON "meeting_registrants" USING btree ("zoom_registrant_id");--> statement-breakpoint
CREATE INDEX "meeting_registrants_user_idx" ON "meeting_registrants" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "zoom_meetings_course_idx" ON "zoom_meetings" USING btree ("course_id");--> statement-breakpoint
CREATE INDEX "zoom_meetings_exam_idx" ON "zoom_meetings" USING btree ("exam_id");--> statement-breakpoint
CREATE INDEX "zoom_meetings_status_start_idx" ON "zoom_meetings" USING btree ("status","start_time");--> statement-breakpoint
CREATE UNIQUE INDEX "certificates_chain_contract_token_uq" ON "certificates" USING btree ("chain_id",lower("contract_address"),"token_id") WHERE "certificates"."token_id" is not null;--> statement-breakpoint
CREATE INDEX "certificates_tx_hash_idx" ON "certificates" USING btree ("tx_hash");--> statement-breakpoint
CREATE INDEX "certificates_status_idx" ON "certificates" USING btree ("status");--> statement-breakpoint
CREATE INDEX "certificates_user_exam_idx" ON "certificates" USING btree ("user_id","exam_id");--> statement-breakpoint
CREATE INDEX "certificates_exam_idx" ON "certificates" USING btree ("exam_id");--> statement-breakpoint
CREATE INDEX "certificates_created_at_idx" ON "certificates" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "verification_requests_lookup_idx" ON "verification_requests" USING btree ("lookup_value","method");--> statement-breakpoint
CREATE INDEX "verification_requests_ip_requested_idx" ON "verification_requests" USING btree ("ip_hash","requested_at");--> statement-breakpoint
CREATE INDEX "verification_requests_requested_at_idx" ON "verification_requests" USING btree ("requested_at");--> statement-breakpoint
CREATE INDEX "verification_requests_certificate_idx" ON "verification_requests" USING btree ("certificate_id");--> statement-breakpoint
CREATE INDEX "audit_logs_actor_created_idx" ON "audit_logs" USING btree ("actor_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_logs_target_idx" ON "audit_logs" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "audit_logs_action_created_idx" ON "audit_logs" USING btree ("action","created_at");--> statement-breakpoint
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs" USING btree ("created_at");