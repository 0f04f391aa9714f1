-- Open311 keys act only within a scope: a unit's reports (a document-
-- management system working for that unit) or the key's own requests (a
-- reporting app). Keys issued before this were unscoped; they keep only
-- their own requests, the narrower of the two.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'own' CHECK (scope IN ('own', 'unit'));
ALTER TABLE api_keys ADD COLUMN unit_id integer REFERENCES units (id);
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_unit CHECK ((scope = 'unit') = (unit_id IS NOT NULL));

-- "Reports created with this key" is looked up on every update an own-scope key posts.
CREATE INDEX reports_api_key_idx ON reports (api_key_id) WHERE api_key_id IS NOT NULL;
