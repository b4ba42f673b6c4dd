-- Photos change the council report (its section of model-site photos): the report's ETag
-- takes the photo table's revision, bumped by every write as for the layers' tables.
INSERT INTO layer_revision (table_name) VALUES ('photo') ON CONFLICT DO NOTHING;
CREATE TRIGGER photo_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON photo
    FOR EACH STATEMENT EXECUTE FUNCTION bump_layer_revision();
