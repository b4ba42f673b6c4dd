FROM generate_series(0, $1::int - 1) AS i
CROSS JOIN generate_series(0, 19) AS j
CROSS JOIN LATERAL (SELECT 104.0 + (i % 25) * 0.05 + (j % 5) * 0.008 AS gx,
                           19.0 + (i / 25) * 0.05 + (j / 5) * 0.01 AS gy,
                           'S' || lpad(i::text, 5, '0') AS commune) AS cell
