-- The facts the importer and the editor judge a geometry by, for many geometries in one
-- query: a geometry PostGIS cannot read (or transform) gives its error message in `error`
-- instead of aborting the whole batch. `repair_dimension` > 0 applies ST_MakeValid to an
-- invalid geometry and keeps its parts of that dimension (1 points, 2 lines, 3 polygons).
CREATE FUNCTION kheo_geometry_facts(source text, is_wkt boolean, srid integer, repair_dimension integer)
RETURNS TABLE (error text, geometry_type text, empty boolean, valid boolean, reason text,
               x float8, y float8, xmin float8, ymin float8, xmax float8, ymax float8, geojson text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    g geometry;
    v valid_detail;
BEGIN
    BEGIN
        g := ST_Force2D(ST_Transform(ST_SetSRID(
                 CASE WHEN is_wkt THEN ST_GeomFromText(source) ELSE ST_GeomFromGeoJSON(source) END, srid), 4326));
        IF repair_dimension > 0 AND NOT ST_IsValid(g) THEN
            g := ST_CollectionExtract(ST_MakeValid(g), repair_dimension);
        END IF;
        v := ST_IsValidDetail(g);
    EXCEPTION WHEN OTHERS THEN
        RETURN QUERY SELECT SQLERRM, NULL::text, NULL::boolean, NULL::boolean, NULL::text,
                            NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::float8, NULL::text;
        RETURN;
    END;
    RETURN QUERY SELECT NULL::text, GeometryType(g), ST_IsEmpty(g), v.valid, v.reason::text,
                        ST_X(v.location), ST_Y(v.location), ST_XMin(g), ST_YMin(g), ST_XMax(g), ST_YMax(g),
                        ST_AsGeoJSON(g, 9);
END
$$;
