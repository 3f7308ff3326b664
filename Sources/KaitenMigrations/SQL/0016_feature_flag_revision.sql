-- A counter per organization that every write to its feature flags moves, so a server keeping the flags
-- compiled in memory knows in one indexed read whether they are current. A trigger moves it, so no write path
-- (an API write, a cascade from an organization's deletion) can forget to. The row is updated, never only
-- compared by timestamp: two writes whose transactions started in one order and committed in the other still
-- leave a value no reader has seen before. No foreign key: the trigger also runs while an organization's
-- deletion cascades to its flags, and a leftover row of a deleted organization is never read.
CREATE TABLE feature_flag_revision (
    organization_id uuid PRIMARY KEY,
    revision bigint NOT NULL
);

CREATE FUNCTION feature_flag_revision_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feature_flag_revision AS r (organization_id, revision)
    VALUES (COALESCE(NEW.organization_id, OLD.organization_id), 1)
    ON CONFLICT (organization_id) DO UPDATE SET revision = r.revision + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER feature_flag_revision_advance
    AFTER INSERT OR UPDATE OR DELETE ON feature_flag
    FOR EACH ROW EXECUTE FUNCTION feature_flag_revision_advance();
