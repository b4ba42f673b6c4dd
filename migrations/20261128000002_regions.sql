-- Regions: named sets of communes, for the views and reports across communes. A province
-- is derived from its communes' `province` (code: the name in lower case without accents,
-- words joined by '-', e.g. 'nghe-an'); districts (including those abolished in 2025, kept
-- for historical reports) and clusters are made by hand (`kheo region add`).

-- 'Nghệ An' -> 'nghe-an', 'Tỉnh Quảng Ninh' -> 'tinh-quang-ninh'.
CREATE FUNCTION region_slug(name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT trim(BOTH '-' FROM regexp_replace(replace(search_key(name), 'đ', 'd'), '[^a-z0-9]+', '-', 'g'))
$$;

CREATE TABLE region (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9a-z][0-9a-z_-]{0,39}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('province', 'district', 'cluster')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE region_commune (
    region_code  text NOT NULL REFERENCES region (code) ON DELETE CASCADE ON UPDATE CASCADE,
    commune_code text NOT NULL REFERENCES commune (code) ON DELETE CASCADE,
    PRIMARY KEY (region_code, commune_code)
);
CREATE INDEX region_commune_commune_idx ON region_commune (commune_code);

CREATE INDEX commune_province_slug_idx ON commune (region_slug(province));

-- Every region: those made by hand, and a province per distinct province name of the
-- communes (unless a region of the same code was made by hand).
CREATE VIEW region_all AS
    SELECT r.code, r.name, r.kind FROM region r
    UNION ALL
    SELECT DISTINCT ON (region_slug(c.province)) region_slug(c.province), c.province, 'province'
      FROM commune c
     WHERE NOT EXISTS (SELECT 1 FROM region r WHERE r.code = region_slug(c.province))
     ORDER BY 1, 2;

-- The communes of a region, by code.
CREATE FUNCTION region_communes(wanted text) RETURNS SETOF text LANGUAGE sql STABLE AS $$
    SELECT commune_code FROM region_commune WHERE region_code = wanted
    UNION
    SELECT c.code FROM commune c
     WHERE region_slug(c.province) = wanted AND NOT EXISTS (SELECT 1 FROM region r WHERE r.code = wanted)
$$;

INSERT INTO layer_revision (table_name) VALUES ('region'), ('region_commune');
CREATE TRIGGER region_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON region
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_revision();
CREATE TRIGGER region_commune_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON region_commune
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_revision();
