-- Coverage per residential group, kept as derived data so that a request only sums.
--
-- Every work line is cut into pieces, one per group it lies in, and road pieces are cut
-- again where lighting lines light them (within the commune's lit_buffer_m), each piece
-- carrying the date it became lit. Attributes that change with time (surface, paved_on,
-- done_on, status, money) stay on the work and are read at request time, so editing them
-- needs no recomputation; only geometry, groups, lighting and settings do.
--
-- The rule for shared edges and overlaps: a line wholly inside one or more groups goes to
-- the one with the lowest id; any other line is shared out in group id order, each group
-- taking what lies in it (edges included) of what the groups before it left. A road along
-- the edge of two groups therefore counts once, for the group with the lower id; a road in
-- two groups that overlap by mistake counts once; what no group covers is "unassigned". Lengths are geodesic (geography, on the WGS 84 spheroid), in metres.

CREATE TABLE commune_setting (
    commune_code    text PRIMARY KEY REFERENCES commune (code) ON DELETE CASCADE,
    -- Road classes counted in road_m and its shares; national and provincial roads are
    -- shown but are not the commune's to build.
    counted_classes text[] NOT NULL DEFAULT ARRAY['commune', 'hamlet_axis', 'inter_hamlet', 'alley', 'field'],
    lit_buffer_m    double precision NOT NULL DEFAULT 15 CHECK (lit_buffer_m > 0 AND lit_buffer_m <= 200),
    -- Targets per indicator (same names as the API's indicators); "met" is value >= target.
    targets         jsonb NOT NULL DEFAULT '{"concrete_pct": 80, "hardened_pct": 100, "lit_pct": 70}',
    updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO commune_setting (commune_code) SELECT code FROM commune ON CONFLICT DO NOTHING;

CREATE FUNCTION commune_default_setting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commune_setting (commune_code) VALUES (NEW.code) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER commune_default_setting AFTER INSERT ON commune
    FOR EACH ROW EXECUTE FUNCTION commune_default_setting();

CREATE TABLE coverage_road_piece (
    road_id      bigint NOT NULL REFERENCES road (id) ON DELETE CASCADE,
    commune_code text NOT NULL,
    group_id     bigint,              -- NULL: outside every group (unassigned)
    length_m     double precision NOT NULL,
    share        double precision NOT NULL,  -- of the road's whole length, for its money
    lit          boolean NOT NULL,
    lit_since    date                 -- with lit: NULL means lit for as long as records go
);
CREATE INDEX coverage_road_piece_commune_idx ON coverage_road_piece (commune_code);
CREATE INDEX coverage_road_piece_road_idx ON coverage_road_piece (road_id);

-- Flower routes and lighting lines, split by group (for flower_m and their money).
CREATE TABLE coverage_line_piece (
    layer        text NOT NULL CHECK (layer IN ('flower_routes', 'lighting_lines')),
    work_id      bigint NOT NULL,
    commune_code text NOT NULL,
    group_id     bigint,
    length_m     double precision NOT NULL,
    share        double precision NOT NULL
);
CREATE INDEX coverage_line_piece_commune_idx ON coverage_line_piece (commune_code);
CREATE INDEX coverage_line_piece_work_idx ON coverage_line_piece (layer, work_id);

CREATE TABLE coverage_site (
    site_id      bigint PRIMARY KEY REFERENCES model_site (id) ON DELETE CASCADE,
    commune_code text NOT NULL,
    group_id     bigint
);
CREATE INDEX coverage_site_commune_idx ON coverage_site (commune_code);

-- The area each existing lighting line lights: its buffer of the commune's lit_buffer_m,
-- computed once per line rather than once per road near it.
CREATE TABLE coverage_light_zone (
    light_id     bigint PRIMARY KEY REFERENCES lighting_line (id) ON DELETE CASCADE,
    commune_code text NOT NULL,
    done_on      date,
    zone         geometry(Geometry, 4326) NOT NULL
);
CREATE INDEX coverage_light_zone_zone_idx ON coverage_light_zone USING gist (zone);
CREATE INDEX coverage_light_zone_commune_idx ON coverage_light_zone (commune_code);

-- Groups that overlap each other, and the parts of the commune no group covers.
CREATE TABLE coverage_quality (
    commune_code text PRIMARY KEY REFERENCES commune (code) ON DELETE CASCADE,
    overlapping     jsonb NOT NULL,      -- [{"a": code, "b": code, "area_m2": n}]
    gap_m2       double precision NOT NULL,
    outside_m2   double precision NOT NULL,
    checked_at   timestamptz NOT NULL DEFAULT now()
);

-- Splits a line among the groups of a commune, in group id order (see the rule above).
CREATE FUNCTION coverage_split_by_groups(work geometry, commune text)
RETURNS TABLE (group_id bigint, piece geometry) LANGUAGE plpgsql STABLE
-- Called once per road: one generic plan for its query instead of planning it anew each
-- time (halves a rebuild).
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    rest geometry := work;
    g record;
    part geometry;
BEGIN
    FOR g IN SELECT rg.id, rg.geom FROM residential_group rg
              WHERE rg.commune_code = commune AND rg.geom && work ORDER BY rg.id LOOP
        IF ST_CoveredBy(rest, g.geom) THEN
            group_id := g.id; piece := rest; RETURN NEXT;
            RETURN;
        END IF;
        part := ST_CollectionExtract(ST_Intersection(rest, g.geom), 2);
        IF NOT ST_IsEmpty(part) THEN
            group_id := g.id; piece := part; RETURN NEXT;
            -- The difference with the polygon itself, not with `part`: cut by the same
            -- edges, the two halves add up exactly (a line minus a recomputed copy of
            -- itself can leave most of it behind).
            rest := ST_CollectionExtract(ST_Difference(rest, g.geom), 2);
            IF ST_IsEmpty(rest) THEN RETURN; END IF;
        END IF;
    END LOOP;
    group_id := NULL; piece := rest; RETURN NEXT;
END $$;

-- Splits a line by the light zones of a commune: lit pieces carry the date of the
-- earliest line that lights them; the rest is unlit.
CREATE FUNCTION coverage_split_by_lights(work geometry, commune text)
RETURNS TABLE (lit boolean, lit_since date, piece geometry) LANGUAGE plpgsql STABLE
-- Called once per road: one generic plan for its query instead of planning it anew each
-- time (halves a rebuild).
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    rest geometry := work;
    z record;
    part geometry;
BEGIN
    FOR z IN SELECT lz.done_on, lz.zone FROM coverage_light_zone lz
              WHERE lz.commune_code = commune AND lz.zone && work
              ORDER BY lz.done_on NULLS FIRST, lz.light_id LOOP
        IF ST_CoveredBy(rest, z.zone) THEN
            lit := true; lit_since := z.done_on; piece := rest; RETURN NEXT;
            RETURN;
        END IF;
        part := ST_CollectionExtract(ST_Intersection(rest, z.zone), 2);
        IF NOT ST_IsEmpty(part) THEN
            lit := true; lit_since := z.done_on; piece := part; RETURN NEXT;
            rest := ST_CollectionExtract(ST_Difference(rest, z.zone), 2);
            IF ST_IsEmpty(rest) THEN RETURN; END IF;
        END IF;
    END LOOP;
    lit := false; lit_since := NULL; piece := rest; RETURN NEXT;
END $$;

-- Recomputes the zone of lighting lines (none for lines that are not existing).
CREATE FUNCTION coverage_refresh_zones(wanted bigint[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM coverage_light_zone WHERE light_id = ANY (wanted);
    INSERT INTO coverage_light_zone (light_id, commune_code, done_on, zone)
    SELECT l.id, l.commune_code, l.done_on,
           ST_Buffer(l.geom::geography, coalesce((SELECT cs.lit_buffer_m FROM commune_setting cs
                                                  WHERE cs.commune_code = l.commune_code), 15))::geometry
      FROM lighting_line l
     WHERE l.id = ANY (wanted) AND l.status = 'existing';
$$;

-- The pieces of some roads. Most roads lie wholly inside one group: those go, whole, to
-- the lowest-id group that covers them, found by one join (PostGIS then reuses each
-- group's prepared polygon); the others are cut by coverage_split_by_groups. A piece's
-- share of its road's money is its part of the road's pieces' length, so shares add up
-- to exactly 1. Pieces under a millimetre (numerical slivers of the cuts) are dropped.
CREATE FUNCTION coverage_road_pieces(wanted bigint[])
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
        SELECT p.id, p.commune_code, p.group_id, ST_Length(l.piece::geography) AS length_m, l.lit, l.lit_since
          FROM by_group p CROSS JOIN LATERAL coverage_split_by_lights(p.piece, p.commune_code) AS l
    )
    SELECT id, commune_code, group_id, length_m, length_m / sum(length_m) OVER (PARTITION BY id), lit, lit_since
      FROM pieces
     WHERE length_m > 0.001
$$;

CREATE FUNCTION coverage_line_pieces(layer_id text, id bigint, commune text, work geometry)
RETURNS SETOF coverage_line_piece LANGUAGE sql STABLE AS $$
    SELECT layer_id, id, commune, group_id, length_m, length_m / sum(length_m) OVER ()
      FROM (SELECT g.group_id, ST_Length(g.piece::geography) AS length_m
              FROM coverage_split_by_groups(work, commune) AS g) AS pieces
     WHERE length_m > 0.001
$$;

-- The group a point lies in: the lowest id among those that contain or touch it.
CREATE FUNCTION coverage_site_group(point geometry, commune text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT rg.id FROM residential_group rg
     WHERE rg.commune_code = commune AND ST_Intersects(rg.geom, point) ORDER BY rg.id LIMIT 1
$$;

CREATE FUNCTION coverage_refresh_road(wanted bigint) RETURNS void LANGUAGE sql AS $$
    DELETE FROM coverage_road_piece WHERE road_id = wanted;
    INSERT INTO coverage_road_piece SELECT * FROM coverage_road_pieces(ARRAY[wanted]);
$$;

CREATE FUNCTION coverage_check_groups(commune text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO coverage_quality (commune_code, overlapping, gap_m2, outside_m2, checked_at)
    SELECT c.code,
           coalesce((SELECT jsonb_agg(jsonb_build_object('a', a.code, 'b', b.code,
                         'area_m2', round(ST_Area(ST_Intersection(a.geom, b.geom)::geography)::numeric))
                         ORDER BY a.code, b.code)
                       FROM residential_group a JOIN residential_group b
                         ON b.commune_code = a.commune_code AND a.id < b.id AND a.geom && b.geom
                        AND ST_Relate(a.geom, b.geom, '2********')
                      WHERE a.commune_code = c.code), '[]'::jsonb),
           coalesce(ST_Area(ST_Difference(c.geom, u.geom)::geography), ST_Area(c.geom::geography)),
           coalesce(ST_Area(ST_Difference(u.geom, c.geom)::geography), 0),
           now()
      FROM commune c
      CROSS JOIN LATERAL (SELECT ST_Union(g.geom) AS geom FROM residential_group g WHERE g.commune_code = c.code) AS u
     WHERE c.code = commune
    ON CONFLICT (commune_code) DO UPDATE
       SET overlapping = EXCLUDED.overlapping, gap_m2 = EXCLUDED.gap_m2, outside_m2 = EXCLUDED.outside_m2,
           checked_at = EXCLUDED.checked_at;
$$;

-- Recomputes all derived coverage data of one commune.
CREATE FUNCTION coverage_rebuild(commune text) RETURNS void LANGUAGE sql AS $$
    DELETE FROM coverage_light_zone WHERE commune_code = commune;
    SELECT coverage_refresh_zones(ARRAY(SELECT id FROM lighting_line WHERE commune_code = commune));
    DELETE FROM coverage_road_piece WHERE commune_code = commune;
    INSERT INTO coverage_road_piece
        SELECT * FROM coverage_road_pieces(ARRAY(SELECT id FROM road WHERE commune_code = commune));
    DELETE FROM coverage_line_piece WHERE commune_code = commune;
    INSERT INTO coverage_line_piece
        SELECT p.* FROM flower_route w
         CROSS JOIN LATERAL coverage_line_pieces('flower_routes', w.id, w.commune_code, w.geom) AS p
         WHERE w.commune_code = commune;
    INSERT INTO coverage_line_piece
        SELECT p.* FROM lighting_line w
         CROSS JOIN LATERAL coverage_line_pieces('lighting_lines', w.id, w.commune_code, w.geom) AS p
         WHERE w.commune_code = commune;
    DELETE FROM coverage_site WHERE commune_code = commune;
    INSERT INTO coverage_site
        SELECT m.id, m.commune_code, coverage_site_group(m.geom, m.commune_code) FROM model_site m
         WHERE m.commune_code = commune;
    SELECT coverage_check_groups(commune);
    -- A rebuild may change answers without changing any work (a repair): say so to ETags.
    INSERT INTO layer_revision AS r (table_name, revision, changed_at) VALUES ('coverage:' || commune, 2, now())
    ON CONFLICT (table_name) DO UPDATE SET revision = r.revision + 1, changed_at = now();
$$;

-- Bulk loaders set kheo.coverage = 'deferred' for their transaction and rebuild the
-- communes they touched at the end, instead of paying for every row.
CREATE FUNCTION coverage_deferred() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('kheo.coverage', true), '') = 'deferred'
$$;

CREATE FUNCTION coverage_on_road() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coverage_deferred() THEN
        PERFORM coverage_refresh_road(NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_road AFTER INSERT OR UPDATE OF geom, commune_code ON road
    FOR EACH ROW EXECUTE FUNCTION coverage_on_road();

-- A lighting line changes the lit pieces of the roads near its old and new geometry.
CREATE FUNCTION coverage_on_lighting_line() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted bigint;
    old_reach double precision;
    new_reach double precision;
BEGIN
    IF coverage_deferred() THEN RETURN NULL; END IF;
    -- The candidate roads: within the commune's lit_buffer_m, in degrees. A degree is at
    -- least 90 km along a parallel up to 35 degrees of latitude (all of Vietnam), so a box
    -- widened by lit_buffer_m / 90000 degrees holds every road the line can light.
    IF TG_OP <> 'INSERT' THEN
        old_reach := coalesce((SELECT lit_buffer_m FROM commune_setting WHERE commune_code = OLD.commune_code), 15) / 90000.0;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_reach := coalesce((SELECT lit_buffer_m FROM commune_setting WHERE commune_code = NEW.commune_code), 15) / 90000.0;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM coverage_light_zone WHERE light_id = OLD.id;
    ELSE
        PERFORM coverage_refresh_zones(ARRAY[NEW.id]);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM coverage_line_piece WHERE layer = 'lighting_lines' AND work_id = OLD.id;
        FOR wanted IN SELECT r.id FROM road r
                       WHERE r.commune_code = OLD.commune_code
                         AND r.geom && ST_Expand(OLD.geom, old_reach) LOOP
            PERFORM coverage_refresh_road(wanted);
        END LOOP;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO coverage_line_piece
            SELECT * FROM coverage_line_pieces('lighting_lines', NEW.id, NEW.commune_code, NEW.geom);
        FOR wanted IN SELECT r.id FROM road r
                       WHERE r.commune_code = NEW.commune_code
                         AND r.geom && ST_Expand(NEW.geom, new_reach)
                         AND (TG_OP = 'INSERT' OR NOT (r.commune_code = OLD.commune_code
                              AND r.geom && ST_Expand(OLD.geom, old_reach))) LOOP
            PERFORM coverage_refresh_road(wanted);
        END LOOP;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_lighting_line
    AFTER INSERT OR DELETE OR UPDATE OF geom, commune_code, status, done_on ON lighting_line
    FOR EACH ROW EXECUTE FUNCTION coverage_on_lighting_line();

CREATE FUNCTION coverage_on_flower_route() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coverage_deferred() THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM coverage_line_piece WHERE layer = 'flower_routes' AND work_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO coverage_line_piece
            SELECT * FROM coverage_line_pieces('flower_routes', NEW.id, NEW.commune_code, NEW.geom);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_flower_route
    AFTER INSERT OR DELETE OR UPDATE OF geom, commune_code ON flower_route
    FOR EACH ROW EXECUTE FUNCTION coverage_on_flower_route();

CREATE FUNCTION coverage_on_model_site() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coverage_deferred() THEN RETURN NULL; END IF;
    INSERT INTO coverage_site (site_id, commune_code, group_id)
    VALUES (NEW.id, NEW.commune_code, coverage_site_group(NEW.geom, NEW.commune_code))
    ON CONFLICT (site_id) DO UPDATE SET commune_code = EXCLUDED.commune_code, group_id = EXCLUDED.group_id;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_model_site AFTER INSERT OR UPDATE OF geom, commune_code ON model_site
    FOR EACH ROW EXECUTE FUNCTION coverage_on_model_site();

-- Groups and settings are rarely edited and change every piece of their commune.
CREATE FUNCTION coverage_on_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coverage_deferred() THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM coverage_rebuild(OLD.commune_code); END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.commune_code <> OLD.commune_code) THEN
        PERFORM coverage_rebuild(NEW.commune_code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_group
    AFTER INSERT OR DELETE OR UPDATE OF geom, commune_code ON residential_group
    FOR EACH ROW EXECUTE FUNCTION coverage_on_group();

CREATE FUNCTION coverage_on_setting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coverage_deferred() AND NEW.lit_buffer_m IS DISTINCT FROM OLD.lit_buffer_m THEN
        PERFORM coverage_rebuild(NEW.commune_code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_setting AFTER UPDATE ON commune_setting
    FOR EACH ROW EXECUTE FUNCTION coverage_on_setting();

-- A commune's boundary is checked against its groups.
CREATE FUNCTION coverage_on_commune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT coverage_deferred() THEN PERFORM coverage_check_groups(NEW.code); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER coverage_on_commune AFTER INSERT OR UPDATE OF geom ON commune
    FOR EACH ROW EXECUTE FUNCTION coverage_on_commune();

-- Data that existed before this migration.
SELECT coverage_rebuild(code) FROM commune;

-- Settings change coverage answers: their revision goes into the coverage ETags.
INSERT INTO layer_revision (table_name) VALUES ('commune_setting');
CREATE TRIGGER commune_setting_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON commune_setting
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_revision();
