-- Coverage steps: each commune's sums as step functions of the as-of date, so that a
-- region's coverage at any date reads one row per commune and key instead of summing every
-- piece of every commune (740,000 road pieces for a province of 500 communes).
--
-- A piece's contribution to a sum can only change on one of its own dates (the date its
-- work was done, paved, lit, drained, recognised: src/store/features.rs `change_dates`),
-- so a commune's sum is constant between the dates of its pieces. `coverage_step` keeps,
-- for each commune, kind of sum and key (a road class, a field and recognition), the sums
-- from each such date on (`step_on`, '-infinity' for "before every date"): the sums at a
-- date D are those of the last step on or before D. The rows are computed by the same
-- SQL rules as the direct sums (src/store/coverage/sums.rs), and tests compare the two.
--
-- Writes do not compute steps: a statement that changes a commune's pieces or works only
-- notes the commune in `coverage_step_change`; the next reader of that commune's steps
-- recomputes them first, from one snapshot (src/store/coverage/mod.rs `refresh_steps`).

CREATE TABLE coverage_step (
    -- 'roads', a line layer's id, 'sites'
    kind         text NOT NULL,
    commune_code text NOT NULL REFERENCES commune (code) ON DELETE CASCADE,
    -- what the sums are split by within a commune: '{class}', '{field, recognition}', '{}'
    key          text[] NOT NULL,
    step_on      date NOT NULL,
    -- the sums from step_on on, in the order of the kind's measures
    measures     float8[] NOT NULL
);
-- No unique index: a refresh deletes and inserts a commune's rows in one statement.
CREATE INDEX coverage_step_lookup_idx ON coverage_step (commune_code, kind, key, step_on);
-- Every (commune, kind, key) has a first row at '-infinity': the list of keys.
CREATE INDEX coverage_step_keys_idx ON coverage_step (kind, commune_code) WHERE step_on = '-infinity';

-- Communes whose steps are out of date. No foreign key: a commune being deleted notes
-- itself through its cascading pieces after its row is gone.
CREATE TABLE coverage_step_change (
    commune_code text NOT NULL
);
CREATE INDEX coverage_step_change_commune_idx ON coverage_step_change (commune_code);

CREATE FUNCTION coverage_step_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO coverage_step_change (commune_code) SELECT DISTINCT commune_code FROM new_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO coverage_step_change (commune_code) SELECT DISTINCT commune_code FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION coverage_step_touch_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO coverage_step_change (commune_code) SELECT code FROM commune;
    RETURN NULL;
END $$;

-- The pieces, and the works whose attributes the sums read through a join (lines and
-- sites; roads copy theirs to their pieces). Statement triggers with transition tables:
-- an import of 100,000 roads notes each commune once per statement, not once per row.
-- A new layer that feeds coverage adds its table here (tests/api/coverage_steps.rs checks).
DO $$
DECLARE
    watched text;
BEGIN
    FOREACH watched IN ARRAY ARRAY['coverage_road_piece', 'coverage_line_piece', 'coverage_site', 'road',
                                   'flower_route', 'lighting_line', 'drainage', 'model_site'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION coverage_step_touch()', watched || '_step_insert', watched);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION coverage_step_touch()', watched || '_step_update', watched);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION coverage_step_touch()', watched || '_step_delete', watched);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION coverage_step_touch_all()', watched || '_step_truncate', watched);
    END LOOP;
END $$;

-- Every commune already loaded starts out of date.
INSERT INTO coverage_step_change (commune_code) SELECT code FROM commune;
