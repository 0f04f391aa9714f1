import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * int8 columns come back as strings on both engines (H3 cells exceed 2^53),
 * and accept string, number or bigint on the way in.
 */
export type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
export type GeneratedInt8 = ColumnType<string, string | number | bigint | undefined, string | number | bigint>;
/** Geometry columns are written with PostGIS expressions and read through ST_As*. */
export type Geometry = ColumnType<string, never, never>;
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type AreaLevel = 'province' | 'district' | 'ward';

export interface AdminAreaTable {
  id: Generated<number>;
  level: AreaLevel;
  code: string;
  name_vi: string;
  name_en: string;
  full_name_vi: string;
  full_name_en: string;
  parent_id: number | null;
  area_km2: number;
  geom: Geometry;
  geom_low: Geometry;
  geom_mid: Geometry;
  label_point: Geometry;
}
export type AdminAreaRow = Selectable<AdminAreaTable>;

export interface FieldTable {
  code: string;
  name_vi: string;
  name_en: string;
  color: string;
  icon: string;
  deadline_days: number;
  duplicate_radius_m: number;
  handled_at: Generated<'ward' | 'province'>;
  sort_order: Generated<number>;
  active: Generated<boolean>;
}
export type FieldRow = Selectable<FieldTable>;
export type NewFieldRow = Insertable<FieldTable>;

export type UnitKind = 'ward_committee' | 'department' | 'utility' | 'other';
export interface UnitTable {
  id: Generated<number>;
  code: string;
  kind: UnitKind;
  name_vi: string;
  name_en: string;
  email: string | null;
  phone: string | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}
export type UnitRow = Selectable<UnitTable>;
export type NewUnitRow = Insertable<UnitTable>;

export interface UnitAreaTable {
  unit_id: number;
  area_id: number;
}
export interface UnitFieldTable {
  unit_id: number;
  field_code: string;
}

export type StaffRole = 'admin' | 'dispatcher' | 'officer' | 'leader';
export interface StaffUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: StaffRole;
  unit_id: number | null;
  disabled: Generated<boolean>;
  created_at: Generated<Date>;
}
export type StaffUserRow = Selectable<StaffUserTable>;
export type NewStaffUserRow = Insertable<StaffUserTable>;

export const REPORT_STATUSES = [
  'received', 'verified', 'assigned', 'in_progress', 'resolved',
  'closed', 'rejected', 'reopened', 'merged', 'withdrawn',
] as const;
/** Statuses after which nothing more is expected from staff. */
export const FINISHED_STATUSES = ['resolved', 'closed', 'rejected', 'merged', 'withdrawn'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export interface ReportTable {
  id: GeneratedInt8;
  code: string;
  field_code: string;
  title: string;
  description: string;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  geom: Geometry;
  h3_r5: Int8;
  h3_r6: Int8;
  h3_r7: Int8;
  h3_r8: Int8;
  h3_r9: Int8;
  ward_id: number;
  district_id: number;
  unit_id: number | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  hide_name: Generated<boolean>;
  follower_count: Generated<number>;
  reopen_count: Generated<number>;
  parent_id: Int8 | null;
  source: Generated<string>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  assigned_at: NullableTimestamp;
  due_at: NullableTimestamp;
  resolved_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  manage_token_hash: string | null;
  needs_review: Generated<boolean>;
}
export type ReportRow = Selectable<ReportTable>;
export type NewReportRow = Insertable<ReportTable>;
export type ReportUpdate = Updateable<ReportTable>;

export interface ReportEventTable {
  id: GeneratedInt8;
  report_id: Int8;
  type: string;
  from_status: string | null;
  to_status: string | null;
  public: Generated<boolean>;
  note: string | null;
  actor_id: number | null;
  unit_id: number | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}
export type ReportEventRow = Selectable<ReportEventTable>;
export type NewReportEventRow = Insertable<ReportEventTable>;

export interface MediaTable {
  id: string;
  report_id: Int8;
  event_id: Int8 | null;
  kind: 'photo' | 'video';
  mime: string;
  bytes: Int8;
  width: number | null;
  height: number | null;
  storage_key: string;
  thumb_key: string | null;
  created_at: Generated<Date>;
}
export type MediaRow = Selectable<MediaTable>;

export interface RatingTable {
  id: GeneratedInt8;
  report_id: Int8;
  satisfied: boolean;
  comment: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ReportFollowerTable {
  id: GeneratedInt8;
  report_id: Int8;
  name: string | null;
  phone: string | null;
  email: string | null;
  created_at: Generated<Date>;
}

export interface IdempotencyKeyTable {
  key: string;
  scope: string;
  request_hash: string;
  state: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface OutboxTable {
  id: GeneratedInt8;
  event_id: string;
  type: string;
  report_id: Int8 | null;
  unit_id: number | null;
  payload: string;
  created_at: Generated<Date>;
  delivered_at: NullableTimestamp;
}
export type NewOutboxRow = Insertable<OutboxTable>;

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

export interface Database {
  admin_areas: AdminAreaTable;
  fields: FieldTable;
  units: UnitTable;
  unit_areas: UnitAreaTable;
  unit_fields: UnitFieldTable;
  staff_users: StaffUserTable;
  reports: ReportTable;
  report_events: ReportEventTable;
  media: MediaTable;
  ratings: RatingTable;
  report_followers: ReportFollowerTable;
  idempotency_keys: IdempotencyKeyTable;
  outbox: OutboxTable;
  schema_migrations: SchemaMigrationTable;
}
