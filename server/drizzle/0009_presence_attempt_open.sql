-- One attempt's open presence segments (a join's other devices, a leave's update): without it
-- the planner ANDed the attempt's index with the exam's open segments, so every join read all
-- open segments of its exam ([scale] issue #16).
CREATE INDEX "presence_attempt_open_idx" ON "presence" USING btree ("attempt_id") WHERE "presence"."left_at" is null;
