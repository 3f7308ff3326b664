-- License versions are numbered by their family, whatever writes the row.
--
-- The next number is the family's last_version + 1, taken by advancing the counter on the family row: the
-- UPDATE locks that row until commit, so two versions added to one family at once get distinct numbers, and
-- since the counter never goes back a number is never handed out twice, even after its version is deleted.
-- Adding a version is also what moves the family's updated_at. A version name left out defaults to
-- "Version - <n>".

CREATE FUNCTION license_assign_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE license_family
    SET last_version = last_version + 1, updated_at = now()
    WHERE id = NEW.family_id AND organization_id = NEW.organization_id
    RETURNING last_version INTO NEW.version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'license family % does not exist in organization %', NEW.family_id, NEW.organization_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'license_family_id_organization_id_fkey';
    END IF;
    NEW.version_name := COALESCE(NEW.version_name, 'Version - ' || NEW.version);
    RETURN NEW;
END $$;

CREATE TRIGGER license_assign_version BEFORE INSERT ON license
    FOR EACH ROW EXECUTE FUNCTION license_assign_version();
