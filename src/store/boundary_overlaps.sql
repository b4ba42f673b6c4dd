-- The overlaps of the staged communes with each other and with the communes already loaded
-- (a loaded commune whose code is staged is replaced, not compared): each pair once, with
-- the shared area in m² and its share of the smaller commune's area.
--
-- Neighbours in a boundary file touch along their whole border, so most pairs whose boxes
-- meet share a line, not an area. The intersection is computed on the plane first, and the
-- costly areas on the spheroid only for the few pairs that share an area; each staged
-- commune's own area was computed once when it was staged (`area_m2`). A country's file
-- (3,321 communes of 480 vertices, 9,733 touching pairs) is checked in about 6 s.
--
-- The loaded communes that the file does not replace are picked first (`MATERIALIZED`):
-- left to the planner, a re-run of the same file had every geometry test made before the
-- test of the codes that discards them all (17 s instead of 6 for a country).
WITH kept AS MATERIALIZED (
    SELECT c.code, c.name, c.geom
      FROM commune c
     WHERE NOT EXISTS (SELECT 1 FROM boundary_staging t WHERE t.code = c.code)
), other AS (
    SELECT s.idx, s.code, s.geom, s.area_m2,
           c.code AS other_code, c.name AS other_name, c.geom AS other_geom, NULL::float8 AS other_area_m2
      FROM kept c
      JOIN boundary_staging s ON s.geom && c.geom
    UNION ALL
    SELECT s.idx, s.code, s.geom, s.area_m2, t.code, t.name, t.geom, t.area_m2
      FROM boundary_staging s
      JOIN boundary_staging t ON t.idx > s.idx AND t.geom && s.geom
), shared AS (
    SELECT idx, code, other_code, other_name, other_geom, area_m2, other_area_m2,
           ST_Intersection(geom, other_geom) AS part
      FROM other
     WHERE ST_Intersects(geom, other_geom)
), overlap AS (
    SELECT idx, code, other_code, other_name,
           ST_Area(part::geography) AS shared_m2,
           least(area_m2, coalesce(other_area_m2, ST_Area(other_geom::geography))) AS smaller_m2
      FROM shared
     WHERE ST_Area(part) > 0
)
SELECT idx, code, coalesce(other_name || ' (' || other_code || ')', other_code), shared_m2,
       CASE WHEN smaller_m2 > 0 THEN shared_m2 / smaller_m2 ELSE 1 END
  FROM overlap
 WHERE shared_m2 > 0
 ORDER BY idx, other_code
