-- Search results in natural order: numbers by their value, so that "Ngõ 9" comes before
-- "Ngõ 10" and "Ngõ 105" after both (text order puts "10" and "105" before "9"). The key is
-- the text with every run of digits padded with zeros to 20 places (longer runs, beyond any
-- number of a name, are kept as they are); compared with COLLATE "C" (src/store/search.rs).
CREATE FUNCTION natural_sort_key(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(string_agg(CASE WHEN m.part[1] ~ '^[0-9]+$' AND length(m.part[1]) <= 20
                                    THEN lpad(m.part[1], 20, '0') ELSE m.part[1] END, '' ORDER BY m.n), '')
      FROM regexp_matches($1, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS m(part, n)
$$;
