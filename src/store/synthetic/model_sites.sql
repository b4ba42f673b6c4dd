INSERT INTO model_site (commune_code, name, done_on, field, recognition, year, geom)
SELECT commune, 'Mô hình ' || j || '-' || k, DATE '2019-01-01' + (((i + k) * 71) % 2000)::int,
       (ARRAY['economy','culture_society','defence_security','political_system'])[1 + (i + j + k) % 4],
       (ARRAY['registered','commune','district','province'])[1 + (i * 3 + k) % 4],
       2019 + (i + j + k) % 6,
       ST_MakePoint(gx + 0.0008 + k * 0.0013, gy + 0.0011 + k * 0.0017)
{cells} CROSS JOIN generate_series(0, 4) AS k
