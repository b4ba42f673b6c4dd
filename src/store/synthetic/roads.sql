INSERT INTO road (commune_code, name, status, done_on, people_vnd, workdays, class, surface,
                  surface_before, width_m, paved_on, geom)
SELECT commune, 'Đường ' || j || '-' || k, 'existing', NULL,
       ((i + j + k) % 7) * 5000000, ((i + k) % 5) * 10,
       CASE WHEN k % 10 = 0 THEN 'hamlet_axis' ELSE 'alley' END,
       (ARRAY['concrete','concrete','concrete','concrete','concrete','concrete','concrete',
              'asphalt','gravel','earth'])[1 + (i * 7 + j * 13 + k * 31) % 10],
       'earth', 3 + (k % 3),
       DATE '2015-01-01' + (((i + j + k) * 37) % 3650)::int,
       CASE WHEN k < 25 THEN
         ST_MakeLine(ARRAY[
           ST_MakePoint(gx + (k / 5) * 0.0016, gy + (k % 5 + 0.5) * 0.002),
           ST_MakePoint(gx + (k / 5) * 0.0016 + 0.0008, gy + (k % 5 + 0.5) * 0.002 + 0.00003),
           ST_MakePoint(gx + (k / 5 + 1) * 0.0016, gy + (k % 5 + 0.5) * 0.002)])
       ELSE
         ST_MakeLine(ARRAY[
           ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016, gy + ((k - 25) / 5) * 0.002),
           ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016 + 0.00003, gy + ((k - 25) / 5) * 0.002 + 0.001),
           ST_MakePoint(gx + ((k - 25) % 5 + 0.5) * 0.0016, gy + ((k - 25) / 5 + 1) * 0.002)])
       END::geometry(LineString, 4326)
{cells} CROSS JOIN generate_series(0, 49) AS k
