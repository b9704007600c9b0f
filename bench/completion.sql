-- The baseline of "complete a lesson": the two writes a completion cannot
-- do without (bump the enrolment's progress, insert the progress row), as
-- pgbench runs them in their own transaction. The server does the same and
-- more (course completion and its job, the summary it answers with) in one
-- CTE statement on PostgreSQL (core/src/learning/completion.rs); bench/all
-- runs this file beside it as "pgbench, same statements".
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
