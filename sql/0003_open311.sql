-- Open311 GeoReport v2: client API keys, imported records, per-field extra
-- questions (service attributes) and updates posted by external systems.

-- Keys are issued to a named client by an admin; only the sha256 is stored.
CREATE TABLE api_keys (
  id           serial PRIMARY KEY,
  client_name  text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 100),
  key_hash     text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- Where a report came from when it was not filed through our own forms:
-- an import keeps the original id so a re-run recognises what it already has.
ALTER TABLE reports ADD COLUMN external_source text;
ALTER TABLE reports ADD COLUMN external_id text;
ALTER TABLE reports ADD CONSTRAINT reports_external_pair CHECK ((external_source IS NULL) = (external_id IS NULL));
CREATE UNIQUE INDEX reports_external_idx ON reports (external_source, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE reports ADD COLUMN api_key_id integer REFERENCES api_keys (id);
-- Open311 address_string / address, as the client wrote it.
ALTER TABLE reports ADD COLUMN address text;
-- A photo hosted elsewhere (Open311 media_url); our own media stay in the media table.
ALTER TABLE reports ADD COLUMN external_media_url text;
-- Data-quality marks, e.g. 'updated_before_requested', 'outside_region'.
ALTER TABLE reports ADD COLUMN flags text[] NOT NULL DEFAULT '{}';
-- Open311 updated_after filters on it.
CREATE INDEX reports_updated_idx ON reports (updated_at);

-- Open311 service list extras.
ALTER TABLE fields ADD COLUMN service_group text;
ALTER TABLE fields ADD COLUMN keywords text;

-- Extra questions asked when filing a report of a field (Open311 service attributes).
CREATE TABLE field_attributes (
  field_code            text NOT NULL REFERENCES fields (code) ON DELETE CASCADE,
  code                  text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,64}$'),
  datatype              text NOT NULL CHECK (datatype IN ('string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist')),
  required              boolean NOT NULL DEFAULT false,
  -- false: shown as information only, no answer expected.
  variable              boolean NOT NULL DEFAULT true,
  description           text NOT NULL,
  datatype_description  text,
  sort_order            integer NOT NULL DEFAULT 0,
  -- [{"key": "...", "name": "..."}] for the list datatypes.
  value_options         jsonb,
  PRIMARY KEY (field_code, code)
);

CREATE TABLE report_attributes (
  report_id  bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  code       text NOT NULL,
  -- Lists are stored as their keys joined by commas.
  value      text NOT NULL,
  PRIMARY KEY (report_id, code)
);

-- One row per update an external system posted, so a retried POST is not applied twice.
CREATE TABLE external_updates (
  id          bigserial PRIMARY KEY,
  source      text NOT NULL,
  update_id   text NOT NULL,
  report_id   bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  event_id    bigint NOT NULL REFERENCES report_events (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, update_id)
);

-- servicerequestupdates reads the public timeline by time.
CREATE INDEX report_events_public_created_idx ON report_events (created_at, id) WHERE public;
