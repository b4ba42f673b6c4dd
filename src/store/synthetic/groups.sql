INSERT INTO residential_group (commune_code, code, name, kind, households, population, geom)
SELECT commune, 'T' || lpad((j + 1)::text, 2, '0'), 'Thôn ' || (j + 1), 'thon',
       100 + (i * 7 + j * 11) % 300, 400 + (i * 13 + j * 17) % 1200,
       ST_Multi(ST_MakeEnvelope(gx, gy, gx + 0.008, gy + 0.01, 4326)) {cells}
