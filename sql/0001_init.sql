-- civic-ops schema, first version. Runs unchanged on PostgreSQL 15 + PostGIS 3.3
-- and on PGlite + PostGIS 3.6, so it sticks to features both have.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Province, former districts and 2025 wards. The three levels nest exactly
-- because districts and the province are unions of wards.
CREATE TABLE admin_areas (
  id            serial PRIMARY KEY,
  level         text NOT NULL CHECK (level IN ('province', 'district', 'ward')),
  code          text NOT NULL UNIQUE,
  name_vi       text NOT NULL,
  name_en       text NOT NULL,
  full_name_vi  text NOT NULL,
  full_name_en  text NOT NULL,
  parent_id     integer REFERENCES admin_areas (id),
  area_km2      double precision NOT NULL,
  geom          geometry(MultiPolygon, 4326) NOT NULL,
  -- Topology-preserving simplifications (no gaps between neighbours) for display.
  -- "low" suits province-wide zooms, "mid" district zooms; full detail beyond.
  geom_low      geometry(MultiPolygon, 4326) NOT NULL,
  geom_mid      geometry(MultiPolygon, 4326) NOT NULL,
  label_point   geometry(Point, 4326) NOT NULL
);
CREATE INDEX admin_areas_geom_idx ON admin_areas USING gist (geom);
CREATE INDEX admin_areas_parent_idx ON admin_areas (parent_id);
CREATE INDEX admin_areas_level_idx ON admin_areas (level);

-- Report categories.
CREATE TABLE fields (
  code                text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
  name_vi             text NOT NULL,
  name_en             text NOT NULL,
  color               text NOT NULL CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  icon                text NOT NULL,
  deadline_days       integer NOT NULL CHECK (deadline_days BETWEEN 1 AND 90),
  duplicate_radius_m  integer NOT NULL CHECK (duplicate_radius_m BETWEEN 10 AND 5000),
  -- 'ward' fields go to the ward People's Committee by default; 'province'
  -- fields need a department or utility.
  handled_at          text NOT NULL DEFAULT 'ward' CHECK (handled_at IN ('ward', 'province')),
  sort_order          integer NOT NULL DEFAULT 0,
  active              boolean NOT NULL DEFAULT true
);

-- Government bodies that handle reports.
CREATE TABLE units (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('ward_committee', 'department', 'utility', 'other')),
  name_vi     text NOT NULL,
  name_en     text NOT NULL,
  email       text,
  phone       text,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE unit_areas (
  unit_id  integer NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  area_id  integer NOT NULL REFERENCES admin_areas (id),
  PRIMARY KEY (unit_id, area_id)
);
CREATE INDEX unit_areas_area_idx ON unit_areas (area_id);

CREATE TABLE unit_fields (
  unit_id     integer NOT NULL REFERENCES units (id) ON DELETE CASCADE,
  field_code  text NOT NULL REFERENCES fields (code),
  PRIMARY KEY (unit_id, field_code)
);

CREATE TABLE staff_users (
  id             serial PRIMARY KEY,
  username       text NOT NULL UNIQUE,
  display_name   text NOT NULL,
  password_hash  text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'officer', 'leader')),
  unit_id        integer REFERENCES units (id),
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'officer' OR unit_id IS NOT NULL)
);

CREATE TABLE reports (
  id               bigserial PRIMARY KEY,
  code             text NOT NULL UNIQUE,
  field_code       text NOT NULL REFERENCES fields (code),
  title            text NOT NULL,
  description      text NOT NULL,
  status           text NOT NULL DEFAULT 'received' CHECK (status IN (
                     'received', 'verified', 'assigned', 'in_progress', 'resolved',
                     'closed', 'rejected', 'reopened', 'merged', 'withdrawn')),
  geom             geometry(Point, 4326) NOT NULL,
  -- H3 cells computed once at insert (spatial/h3-cells.ts), so hotspot
  -- aggregation is a btree GROUP BY instead of per-row H3 math.
  h3_r5            bigint NOT NULL,
  h3_r6            bigint NOT NULL,
  h3_r7            bigint NOT NULL,
  h3_r8            bigint NOT NULL,
  h3_r9            bigint NOT NULL,
  ward_id          integer NOT NULL REFERENCES admin_areas (id),
  district_id      integer NOT NULL REFERENCES admin_areas (id),
  unit_id          integer REFERENCES units (id),
  -- Private contact: never in a public API, page, export or log.
  reporter_name    text,
  reporter_phone   text,
  reporter_email   text,
  hide_name        boolean NOT NULL DEFAULT false,
  follower_count   integer NOT NULL DEFAULT 0,
  reopen_count     integer NOT NULL DEFAULT 0,
  parent_id        bigint REFERENCES reports (id),
  source           text NOT NULL DEFAULT 'web',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  assigned_at      timestamptz,
  due_at           timestamptz,
  resolved_at      timestamptz,
  closed_at        timestamptz
);
CREATE INDEX reports_geom_idx ON reports USING gist (geom);
CREATE INDEX reports_h3_r5_idx ON reports (h3_r5);
CREATE INDEX reports_h3_r6_idx ON reports (h3_r6);
CREATE INDEX reports_h3_r7_idx ON reports (h3_r7);
CREATE INDEX reports_h3_r8_idx ON reports (h3_r8);
CREATE INDEX reports_h3_r9_idx ON reports (h3_r9);
CREATE INDEX reports_status_created_idx ON reports (status, created_at);
CREATE INDEX reports_created_idx ON reports (created_at, id);
CREATE INDEX reports_ward_idx ON reports (ward_id);
CREATE INDEX reports_district_idx ON reports (district_id);
CREATE INDEX reports_unit_idx ON reports (unit_id);
CREATE INDEX reports_field_idx ON reports (field_code);

-- The timeline. "public" events appear on the citizen tracking page.
CREATE TABLE report_events (
  id           bigserial PRIMARY KEY,
  report_id    bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  type         text NOT NULL,
  from_status  text,
  to_status    text,
  public       boolean NOT NULL DEFAULT true,
  note         text,
  actor_id     integer REFERENCES staff_users (id),
  unit_id      integer REFERENCES units (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_events_report_idx ON report_events (report_id, created_at);

CREATE TABLE media (
  id           text PRIMARY KEY,
  report_id    bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  event_id     bigint REFERENCES report_events (id),
  kind         text NOT NULL CHECK (kind IN ('photo', 'video')),
  mime         text NOT NULL,
  bytes        bigint NOT NULL,
  width        integer,
  height       integer,
  storage_key  text NOT NULL,
  thumb_key    text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_report_idx ON media (report_id);

CREATE TABLE ratings (
  id          bigserial PRIMARY KEY,
  report_id   bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  satisfied   boolean NOT NULL,
  comment     text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ratings_report_idx ON ratings (report_id);
