-- The statements a lesson completion runs on PostgreSQL, for pgbench
-- (bench/all runs them as "pgbench, same statements" beside "complete a
-- lesson"). Keep this in step with core/src/learning/progress.rs
-- (`lock_enrolment`, then `record_completion`): when the completion changes,
-- change only this file.
--
-- pgbench runs it with -M prepared, as sqlx does. :enrolment_id and
-- :lesson_id are a seeded enrolment and one of its course's lessons, drawn at
-- random by bench/all before each transaction (one primary-key look-up in
-- bench_pairs, outside the transaction).
BEGIN;
UPDATE enrolments
   SET progress_version = progress_version + 1,
       last_activity_at = now(),
       last_lesson_id = :lesson_id
 WHERE id = :enrolment_id
RETURNING id, user_id, course_id, status, enrolled_at, last_lesson_id,
          last_activity_at, completed_at, progress_version, last_reminded_at;
INSERT INTO lesson_progress (enrolment_id, lesson_id, completed_at)
VALUES (:enrolment_id, :lesson_id, now())
ON CONFLICT (enrolment_id, lesson_id) DO NOTHING;
COMMIT;
