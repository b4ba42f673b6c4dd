INSERT INTO lighting_line (commune_code, name, done_on, lamps, power, geom)
SELECT commune, 'Chiếu sáng ' || j || '-' || k, DATE '2016-01-01' + (((i + j * 3 + k) * 53) % 3000)::int,
       6, CASE WHEN k % 3 = 0 THEN 'solar' ELSE 'grid' END,
       ST_MakeLine(ST_MakePoint(gx + (k / 5) * 0.0016, gy + (k % 5 + 0.5) * 0.002 + 0.00002),
                   ST_MakePoint(gx + (k / 5 + 1) * 0.0016, gy + (k % 5 + 0.5) * 0.002 + 0.00002))
{cells} CROSS JOIN generate_series(0, 9) AS k
