-- Road pieces carry their road's attributes that coverage reads at a date (class, status,
-- dates, surfaces, money), so that summing a region's pieces needs no join with `road`:
-- over 500 communes that join of 700,000 pieces with 500,000 roads was most of the time of
-- a region's answer. The columns keep the road's names, so the catalogue's as-of rules
-- (src/store/features.rs `existed_expr`, `value_expr`) read the pieces as they read roads.
-- A trigger copies the attributes on every change of them; the geometry's triggers
-- recompute the pieces as before.

ALTER TABLE coverage_road_piece
    ADD COLUMN class          text,
    ADD COLUMN status         text,
    ADD COLUMN done_on        date,
    ADD COLUMN paved_on       date,
    ADD COLUMN surface        text,
    ADD COLUMN surface_before text,
    ADD COLUMN people_vnd     bigint,
    ADD COLUMN state_vnd      bigint,
    ADD COLUMN workdays       numeric(12, 1);

UPDATE coverage_road_piece p
   SET class = r.class, status = r.status, done_on = r.done_on, paved_on = r.paved_on, surface = r.surface,
       surface_before = r.surface_before, people_vnd = r.people_vnd, state_vnd = r.state_vnd, workdays = r.workdays
  FROM road r WHERE r.id = p.road_id;

ALTER TABLE coverage_road_piece ALTER COLUMN class SET NOT NULL, ALTER COLUMN status SET NOT NULL,
                                ALTER COLUMN surface SET NOT NULL;

CREATE OR REPLACE FUNCTION coverage_road_pieces(wanted bigint[])
RETURNS SETOF coverage_road_piece LANGUAGE sql STABLE AS $$
    WITH roads AS (
        SELECT r.id, r.commune_code, r.geom FROM road r WHERE r.id = ANY (wanted)
    ), covered AS (
        SELECT DISTINCT ON (r.id) r.id, g.id AS group_id
          FROM roads r JOIN residential_group g
            ON g.commune_code = r.commune_code AND g.geom && r.geom AND ST_CoveredBy(r.geom, g.geom)
         ORDER BY r.id, g.id
    ), by_group AS (
        SELECT r.id, r.commune_code, c.group_id, r.geom AS piece
          FROM roads r JOIN covered c ON c.id = r.id
        UNION ALL
        SELECT r.id, r.commune_code, g.group_id, g.piece
          FROM roads r CROSS JOIN LATERAL coverage_split_by_groups(r.geom, r.commune_code) AS g
         WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.id = r.id)
    ), pieces AS (
        SELECT p.id, p.commune_code, p.group_id, ST_Length(d.piece::geography) AS length_m,
               l.covered AS lit, l.since AS lit_since, d.covered AS drained, d.since AS drained_since
          FROM by_group p
         CROSS JOIN LATERAL coverage_split_by_zones(p.piece, p.commune_code, 'lighting_lines') AS l
         CROSS JOIN LATERAL coverage_split_by_zones(l.piece, p.commune_code, 'drainage') AS d
    )
    SELECT p.id, p.commune_code, p.group_id, p.length_m, p.length_m / sum(p.length_m) OVER (PARTITION BY p.id),
           p.lit, p.lit_since, p.drained, p.drained_since,
           r.class, r.status, r.done_on, r.paved_on, r.surface, r.surface_before, r.people_vnd, r.state_vnd, r.workdays
      FROM pieces p JOIN road r ON r.id = p.id
     WHERE p.length_m > 0.001
$$;

-- Copies a road's attributes to its pieces (no recomputation: they are read at a date).
CREATE FUNCTION coverage_on_road_attributes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coverage_deferred() THEN
        UPDATE coverage_road_piece
           SET class = NEW.class, status = NEW.status, done_on = NEW.done_on, paved_on = NEW.paved_on,
               surface = NEW.surface, surface_before = NEW.surface_before, people_vnd = NEW.people_vnd,
               state_vnd = NEW.state_vnd, workdays = NEW.workdays
         WHERE road_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_road_attributes
    AFTER UPDATE OF class, status, done_on, paved_on, surface, surface_before, people_vnd, state_vnd, workdays ON road
    FOR EACH ROW EXECUTE FUNCTION coverage_on_road_attributes();
