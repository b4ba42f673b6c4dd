INSERT INTO commune_setting AS s (commune_code, counted_classes, lit_buffer_m, drain_buffer_m, targets)
SELECT $1, ARRAY(SELECT jsonb_array_elements_text($2::jsonb->'counted_classes')),
       ($2::jsonb->>'lit_buffer_m')::double precision,
       coalesce(($2::jsonb->>'drain_buffer_m')::double precision,
                (SELECT drain_buffer_m FROM commune_setting WHERE commune_code = $1), 10),
       $2::jsonb->'targets'
ON CONFLICT (commune_code) DO UPDATE
   SET counted_classes = EXCLUDED.counted_classes, lit_buffer_m = EXCLUDED.lit_buffer_m,
       drain_buffer_m = EXCLUDED.drain_buffer_m, targets = EXCLUDED.targets, updated_at = now()
 WHERE (s.counted_classes, s.lit_buffer_m, s.drain_buffer_m, s.targets)
       IS DISTINCT FROM (EXCLUDED.counted_classes, EXCLUDED.lit_buffer_m, EXCLUDED.drain_buffer_m,
                         EXCLUDED.targets)
