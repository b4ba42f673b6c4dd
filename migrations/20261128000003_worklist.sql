-- Next year's work list and the roadmap of targets, as commune settings an admin edits.
--
-- unit_costs: đồng per square metre of road surface, by the surface a road is to get; the
--   defaults are typical of rural concrete roads in 2025 (people's and state's money
--   together) and meant to be replaced by the commune's own.
-- target_surface: the surface the work list plans for (concrete: bê tông hóa).
-- default_width_m: the width assumed for a road whose width is not recorded.
-- people_share_pct: the share of the cost the people are expected to give.
-- targets_by_year: a target per indicator and year, {"concrete_pct": {"2026": 85, "2030": 100}};
--   for an as-of date in a year that has one, it replaces the indicator's plain target.
ALTER TABLE commune_setting
    ADD COLUMN unit_costs jsonb NOT NULL DEFAULT '{"concrete": 450000, "asphalt": 400000, "paving": 350000}'
        CHECK (jsonb_typeof(unit_costs) = 'object'),
    ADD COLUMN target_surface text NOT NULL DEFAULT 'concrete'
        CHECK (target_surface IN ('concrete', 'asphalt', 'paving')),
    ADD COLUMN default_width_m double precision NOT NULL DEFAULT 3
        CHECK (default_width_m > 0 AND default_width_m <= 50),
    ADD COLUMN people_share_pct double precision NOT NULL DEFAULT 50
        CHECK (people_share_pct >= 0 AND people_share_pct <= 100),
    ADD COLUMN targets_by_year jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(targets_by_year) = 'object');
