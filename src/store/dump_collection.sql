SELECT jsonb_typeof(d->'features') = 'array',
       CASE WHEN jsonb_typeof(d->'features') = 'array' THEN jsonb_array_length(d->'features')::bigint END,
       (SELECT count(*) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d->'features') = 'array'
                                                  THEN d->'features' ELSE '[]' END) AS f
         WHERE coalesce(f->'properties'->>'commune', f->'properties'->>'code') IS DISTINCT FROM $2)
  FROM (SELECT $1::jsonb AS d) AS doc
