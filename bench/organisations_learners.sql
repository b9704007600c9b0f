-- Learners for the organisation report benchmark (bench/organisations),
-- PostgreSQL only, generated in SQL in seconds: :learners accounts, each
-- enrolled in three of the published courses over the past two years;
-- 40 % of enrolments completed (with a certificate), 35 % in progress,
-- 10 % left, the rest not started.
--   psql "$DB_URL" -v learners=100000 -f bench/organisations_learners.sql

BEGIN;

CREATE TEMP TABLE bench_courses AS
SELECT id, slug, duration_minutes, row_number() OVER (ORDER BY slug) - 1 AS k
FROM courses WHERE status = 'published';

INSERT INTO users (id, email, email_verified_at, password_hash, display_name, locale, role,
                   reminders_opt_out, unsubscribe_token, created_at, updated_at)
SELECT gen_random_uuid(), 'bench-learner-' || i || '@bench.agora.example', now(), 'x',
       'Learner ' || i, (ARRAY['en', 'fr', 'es'])[1 + i % 3], 'learner', false, NULL,
       now() - interval '2 years', now()
FROM generate_series(0, :learners - 1) AS i;

CREATE TEMP TABLE bench_learners AS
SELECT id, (substring(email FROM 15 FOR position('@' IN email) - 15))::int AS i
FROM users WHERE email LIKE 'bench-learner-%';

CREATE TEMP TABLE bench_enrolments AS
SELECT gen_random_uuid() AS id, l.id AS user_id, c.id AS course_id, c.slug, c.duration_minutes,
       now() - (((l.i * 7 + j * 13) % 730) || ' days')::interval AS enrolled_at,
       (l.i * 3 + j) % 20 AS bucket
FROM bench_learners l
CROSS JOIN generate_series(0, 2) AS j
JOIN bench_courses c ON c.k = (l.i + j) % (SELECT COUNT(*) FROM bench_courses);

INSERT INTO enrolments (id, user_id, course_id, status, enrolled_at, last_lesson_id,
                        last_activity_at, completed_at, progress_version, last_reminded_at,
                        lessons_done)
SELECT id, user_id, course_id,
       CASE WHEN bucket BETWEEN 15 AND 16 THEN 'left' ELSE 'active' END,
       enrolled_at, NULL, enrolled_at + interval '3 days',
       CASE WHEN bucket < 8 THEN enrolled_at + interval '20 days' END,
       0, NULL,
       CASE WHEN bucket < 8 THEN 10 WHEN bucket < 15 THEN 1 + bucket % 4 ELSE 0 END
FROM bench_enrolments
ON CONFLICT DO NOTHING;

INSERT INTO certificates (id, code, enrolment_id, user_id, course_id, holder_name, course_title,
                          locale, duration_minutes, completed_at, issued_at, storage_key,
                          stored_at, revoked_at, revocation_reason)
SELECT gen_random_uuid(), upper(md5(e.id::text)), e.id, e.user_id, e.course_id, 'Learner',
       e.course_id::text, 'en', 60, e.completed_at, e.completed_at,
       'certificates/' || e.id || '.pdf', e.completed_at, NULL, NULL
FROM enrolments e JOIN bench_learners l ON l.id = e.user_id
WHERE e.completed_at IS NOT NULL;

UPDATE courses c SET enrolment_count = n
FROM (SELECT course_id, COUNT(*) AS n FROM enrolments GROUP BY course_id) x
WHERE x.course_id = c.id;

COMMIT;
