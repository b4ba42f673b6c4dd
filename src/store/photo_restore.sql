-- A photo of a commune dump written back: inserted, or updated when anything differs (the
-- image compared by its SHA-256); an equal row is left alone, so that restoring the same
-- dump twice writes nothing.
INSERT INTO photo AS p (id, layer, feature_id, commune_code, content_type, image, image_sha256, width, height,
                        thumbnail, thumb_width, thumb_height, caption, taken_on, position,
                        created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, sha256($6), $7, $8, $9, $10, $11, $12, $13,
        CASE WHEN $14::float8 IS NOT NULL THEN ST_SetSRID(ST_MakePoint($14, $15), 4326) END,
        $16, $17, $18)
ON CONFLICT (id) DO UPDATE
   SET layer = EXCLUDED.layer, feature_id = EXCLUDED.feature_id, commune_code = EXCLUDED.commune_code,
       content_type = EXCLUDED.content_type, image = EXCLUDED.image, image_sha256 = EXCLUDED.image_sha256,
       width = EXCLUDED.width, height = EXCLUDED.height, thumbnail = EXCLUDED.thumbnail,
       thumb_width = EXCLUDED.thumb_width, thumb_height = EXCLUDED.thumb_height, caption = EXCLUDED.caption,
       taken_on = EXCLUDED.taken_on, position = EXCLUDED.position, created_by = EXCLUDED.created_by,
       created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
 WHERE (p.layer, p.feature_id, p.commune_code, p.content_type, p.image_sha256, p.width, p.height, p.thumbnail,
        p.thumb_width, p.thumb_height, p.caption, p.taken_on, ST_AsEWKB(p.position), p.created_by, p.created_at,
        p.updated_at)
       IS DISTINCT FROM
       (EXCLUDED.layer, EXCLUDED.feature_id, EXCLUDED.commune_code, EXCLUDED.content_type, EXCLUDED.image_sha256,
        EXCLUDED.width, EXCLUDED.height, EXCLUDED.thumbnail, EXCLUDED.thumb_width, EXCLUDED.thumb_height,
        EXCLUDED.caption, EXCLUDED.taken_on, ST_AsEWKB(EXCLUDED.position), EXCLUDED.created_by,
        EXCLUDED.created_at, EXCLUDED.updated_at)
