-- Organisations for the organisation report benchmark (bench/organisations),
-- PostgreSQL only: 5,000 organisations in 150 countries (five UN M49
-- regions), every seeded learner a member of one of them, one network
-- holding them all (the heaviest network report) and a small one.
--
-- Run after `agora seed` has created the learners and their enrolments:
--   psql "$DB_URL" -v admin_email=admin@bench.agora.example -f bench/organisations.sql
-- Members: 95 % active, 3 % pending; 5 % of the active ones hid their
-- progress; one administrator per organisation; eight departments.

BEGIN;

DELETE FROM network_coordinators;
DELETE FROM organisation_networks;
DELETE FROM organisation_members;
DELETE FROM organisations;
DELETE FROM networks;

-- 150 two-letter "countries" (AA … FT), each in one of five regions.
CREATE TEMP TABLE bench_countries AS
SELECT c, chr(65 + c / 26) || chr(65 + c % 26) AS code,
       (ARRAY['002', '019', '142', '150', '009'])[1 + c % 5] AS region,
       lpad((10 + c % 40)::text, 3, '0') AS subregion
FROM generate_series(0, 149) AS c;

INSERT INTO organisations (id, slug, name, names, kind, country, m49_region, m49_subregion,
                           population_band, website, public, auto_approve, first_enrolment_at,
                           created_at, updated_at)
SELECT gen_random_uuid(), 'bench-org-' || o, 'Bench organisation ' || o, '{}'::json,
       (ARRAY['municipality', 'region', 'metropolitan', 'association', 'other'])[1 + o % 5],
       bc.code, bc.region, bc.subregion,
       (ARRAY['under-10k', '10k-50k', '50k-100k', '100k-500k', '500k-1m', '1m-5m', 'over-5m'])[1 + o % 7],
       NULL, o % 2 = 0, false, NULL, now() - interval '2 years', now()
FROM generate_series(0, 4999) AS o
JOIN bench_countries bc ON bc.c = o % 150;

-- Every learner (not the administrators) in organisation n mod 5,000.
CREATE TEMP TABLE bench_orgs AS
SELECT id, (substring(slug FROM 11))::int AS n FROM organisations;

INSERT INTO organisation_members (user_id, organisation_id, status, role, via, job_title,
                                  department, hide_progress, requested_at, joined_at)
SELECT u.id, bo.id,
       CASE WHEN u.rn % 100 < 3 THEN 'pending' ELSE 'active' END,
       CASE WHEN u.rn < 5000 THEN 'admin' ELSE 'member' END,
       'domain', 'Officer',
       (ARRAY['Planning', 'Housing', 'Finance', 'Transport', 'Environment', 'Health',
              'Education', 'Resilience'])[1 + u.rn % 8],
       u.rn % 100 BETWEEN 3 AND 7,
       now() - interval '1 year', now() - interval '1 year'
FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM users WHERE role = 'learner') u
JOIN bench_orgs bo ON bo.n = u.rn % 5000;

-- When each organisation joined through learning, as the enrolment
-- service would have recorded it (active members who share their progress).
UPDATE organisations o SET first_enrolment_at = f.first
FROM (SELECT m.organisation_id, MIN(e.enrolled_at) AS first
      FROM organisation_members m JOIN enrolments e ON e.user_id = m.user_id
      WHERE m.status = 'active' AND NOT m.hide_progress
      GROUP BY m.organisation_id) f
WHERE f.organisation_id = o.id;

INSERT INTO networks (id, slug, name, names, website, created_at, updated_at)
VALUES (gen_random_uuid(), 'bench-world', 'Bench world network', '{}'::json, NULL, now(), now()),
       (gen_random_uuid(), 'bench-small', 'Bench small network', '{}'::json, NULL, now(), now());

INSERT INTO organisation_networks (organisation_id, network_id, created_at)
SELECT o.id, n.id, now() FROM organisations o, networks n WHERE n.slug = 'bench-world';
INSERT INTO organisation_networks (organisation_id, network_id, created_at)
SELECT bo.id, n.id, now() FROM bench_orgs bo, networks n WHERE n.slug = 'bench-small' AND bo.n < 200;

-- The benchmark's reader coordinates both networks.
INSERT INTO network_coordinators (network_id, user_id, created_at)
SELECT n.id, u.id, now() FROM networks n, users u WHERE u.email = :'admin_email';

COMMIT;

-- …and administers the first organisation (so its report lists who has not started).
INSERT INTO organisation_members (user_id, organisation_id, status, role, via, job_title,
                                  department, hide_progress, requested_at, joined_at)
SELECT u.id, o.id, 'active', 'admin', 'admin', 'Bench reader', 'Planning', false, now(), now()
FROM users u, organisations o WHERE u.email = :'admin_email' AND o.slug = 'bench-org-0';
