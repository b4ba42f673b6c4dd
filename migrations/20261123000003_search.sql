-- Search by name, accent-insensitive: "quynh" finds "Quỳnh", "duong" finds "Đường".
-- unaccent() is only STABLE (its dictionary could change); the wrapper names the dictionary
-- explicitly and is declared IMMUTABLE so that it can be indexed, the usual way to index it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE FUNCTION search_key(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1))
$$;

CREATE INDEX commune_search_idx ON commune USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX residential_group_search_idx ON residential_group USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX road_search_idx ON road USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX flower_route_search_idx ON flower_route USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX lighting_line_search_idx ON lighting_line USING gin (search_key(name) gin_trgm_ops);
CREATE INDEX model_site_search_idx ON model_site USING gin (search_key(name) gin_trgm_ops);
