CREATE TYPE "public"."zoom_participant_event_kind" AS ENUM('joined', 'left');--> statement-breakpoint
CREATE TABLE "zoom_participant_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"participant_key" text NOT NULL,
	"kind" "zoom_participant_event_kind" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"stay_id" text,
	"user_id" uuid,
	"registrant_id" text,
	"name" text,
	"email" text,
	"leave_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "zoom_participant_events" ADD CONSTRAINT "zoom_participant_events_meeting_id_zoom_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."zoom_meetings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "zoom_participant_events" ADD CONSTRAINT "zoom_participant_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "zoom_participant_events_uq" ON "zoom_participant_events" USING btree ("meeting_id","participant_key","kind","at");--> statement-breakpoint
-- Backfill from the webhook segments already stored, so a meeting running across the
-- deploy keeps its segments when they are next derived from events: each segment's join,
-- and its leave unless the meeting's end closed it.
INSERT INTO "zoom_participant_events" ("meeting_id", "participant_key", "kind", "at", "stay_id", "user_id", "registrant_id", "name", "email", "created_at")
SELECT "meeting_id", "zoom_participant_uuid", 'joined', "joined_at", "zoom_user_id", "user_id", "registrant_id", "name", "email", "created_at"
  FROM "meeting_participation" WHERE "source" = 'webhook'
ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "zoom_participant_events" ("meeting_id", "participant_key", "kind", "at", "stay_id", "user_id", "registrant_id", "name", "email", "leave_reason", "created_at")
SELECT "meeting_id", "zoom_participant_uuid", 'left', "left_at", "zoom_user_id", "user_id", "registrant_id", "name", "email", "leave_reason", "created_at"
  FROM "meeting_participation"
 WHERE "source" = 'webhook' AND "left_at" IS NOT NULL AND "leave_reason" IS DISTINCT FROM 'meeting ended'
ON CONFLICT DO NOTHING;
