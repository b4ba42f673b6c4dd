-- Where coverage_rebuild(commune) spends its time: its statements one by one for one
-- synthetic commune, then the parts of coverage_road_pieces, inside a transaction that is
-- rolled back. By hand, with the cluster of bench/coverage.sh up:
--   KHEO_HOME=bench/out/home target/release/kheo db up
--   psql "<url>" -f bench/coverage-profile.sql
-- The commune is psql variable c (default S00100): psql -v c=S00007 ...
\if :{?c}
\else
\set c S00100
\endif
SET jit = off;
\timing on
BEGIN;
\echo == whole coverage_rebuild(:'c')
SELECT coverage_rebuild(:'c');
\echo == its statements one by one
\echo -- light zones: DELETE + coverage_refresh_zones (ST_Buffer on geography of each lighting line)
DELETE FROM coverage_light_zone WHERE commune_code = :'c';
SELECT coverage_refresh_zones(ARRAY(SELECT id FROM lighting_line WHERE commune_code = :'c'));
\echo -- road pieces: DELETE, then INSERT of coverage_road_pieces(all roads)
DELETE FROM coverage_road_piece WHERE commune_code = :'c';
INSERT INTO coverage_road_piece
    SELECT * FROM coverage_road_pieces(ARRAY(SELECT id FROM road WHERE commune_code = :'c'));
\echo -- line pieces: DELETE, flower routes, lighting lines (coverage_split_by_groups per line)
DELETE FROM coverage_line_piece WHERE commune_code = :'c';
INSERT INTO coverage_line_piece
    SELECT p.* FROM flower_route w
     CROSS JOIN LATERAL coverage_line_pieces('flower_routes', w.id, w.commune_code, w.geom) AS p
     WHERE w.commune_code = :'c';
INSERT INTO coverage_line_piece
    SELECT p.* FROM lighting_line w
     CROSS JOIN LATERAL coverage_line_pieces('lighting_lines', w.id, w.commune_code, w.geom) AS p
     WHERE w.commune_code = :'c';
\echo -- sites: DELETE, INSERT
DELETE FROM coverage_site WHERE commune_code = :'c';
INSERT INTO coverage_site
    SELECT m.id, m.commune_code, coverage_site_group(m.geom, m.commune_code) FROM model_site m
     WHERE m.commune_code = :'c';
\echo -- coverage_check_groups (overlaps, gaps: ST_Union of the groups)
SELECT coverage_check_groups(:'c');
\echo == the parts of coverage_road_pieces
\echo -- roads wholly inside one group (the set-based join), and how many are not
SELECT count(*) AS covered, (SELECT count(*) FROM road WHERE commune_code = :'c') AS roads FROM (
    SELECT DISTINCT ON (r.id) r.id, g.id AS group_id
      FROM road r JOIN residential_group g
        ON g.commune_code = r.commune_code AND g.geom && r.geom AND ST_CoveredBy(r.geom, g.geom)
     WHERE r.commune_code = :'c' ORDER BY r.id, g.id) AS covered;
\echo -- coverage_split_by_groups on every road (only the uncovered ones take this path)
SELECT count(*) FROM road r CROSS JOIN LATERAL coverage_split_by_groups(r.geom, r.commune_code) AS g
 WHERE r.commune_code = :'c';
\echo -- coverage_split_by_lights on every road (every piece takes this path)
SELECT count(*), sum(l.lit::int) AS lit_pieces FROM road r
 CROSS JOIN LATERAL coverage_split_by_lights(r.geom, r.commune_code) AS l
 WHERE r.commune_code = :'c';
\echo -- ST_Length on geography of every road
SELECT sum(ST_Length(geom::geography)) FROM road WHERE commune_code = :'c';
\echo -- light zones a road meets (bounding boxes), on average
SELECT avg(n) AS zones_per_road, max(n) FROM (
    SELECT (SELECT count(*) FROM coverage_light_zone lz WHERE lz.commune_code = r.commune_code AND lz.zone && r.geom) AS n
      FROM road r WHERE r.commune_code = :'c') AS z;
ROLLBACK;
