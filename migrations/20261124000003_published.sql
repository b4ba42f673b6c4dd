-- Whether visitors who are not signed in see a commune (`kheo commune publish|unpublish`).
-- A commune being entered can stay unpublished until its figures are ready for the council.
ALTER TABLE commune ADD COLUMN published boolean NOT NULL DEFAULT true;
