INSERT INTO commune (code, name, kind, province, geom)
SELECT 'S' || lpad(i::text, 5, '0'), 'Xã tổng hợp ' || i, 'xa', 'Tỉnh tổng hợp',
       ST_Multi(ST_MakeEnvelope(104.0 + (i % 25) * 0.05, 19.0 + (i / 25) * 0.05,
                                104.04 + (i % 25) * 0.05, 19.04 + (i / 25) * 0.05, 4326))
  FROM generate_series(0, $1::int - 1) AS i
