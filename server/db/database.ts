import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { ReportStatus } from '../domain/statuses.js';

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
  service_group: ColumnType<string | null, string | null | undefined, string | null>;
  keywords: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** TOTP second factor and forced password change (0011). */
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  /** The last 30-second step accepted; bigint, so pg returns a string. */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  must_change_password: Generated<boolean>;
  password_changed_at: NullableTimestamp;
}
export type StaffUserRow = Selectable<StaffUserTable>;
export type NewStaffUserRow = Insertable<StaffUserTable>;

// The vocabulary lives in domain/statuses.ts; re-exported beside the tables that store it.
export { FINISHED_STATUSES, REPORT_STATUSES, SLA_STATES, type ReportStatus, type SlaState } from '../domain/statuses.js';

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
  version: Generated<number>;
  rating_satisfied: boolean | null;
  declined_at: NullableTimestamp;
  rule_id: number | null;
  external_source: string | null;
  external_id: string | null;
  api_key_id: number | null;
  address: string | null;
  external_media_url: string | null;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  client_key: string | null;
  content_hash: string | null;
  anonymised_at: NullableTimestamp;
  /** The sender's address key, for the duplicate check (0012). */
  sender_address: string | null;
  /** Decree 13/2023: when the reporter agreed to the contact-data notice, and its version (0012). */
  contact_consent_at: NullableTimestamp;
  contact_notice_version: string | null;
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
  reason?: string | null;
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
  /** The device that followed (0012); one follow per report and device, phone or e-mail. */
  device_key: string | null;
  /** Double opt-in: e-mail goes only to a confirmed address. */
  email_confirmed_at: NullableTimestamp;
  confirm_token_hash: string | null;
  confirm_expires_at: NullableTimestamp;
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
  dispatched_at: NullableTimestamp;
}
export type NewOutboxRow = Insertable<OutboxTable>;

export interface StaffSessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: Generated<number>;
  locked_until: NullableTimestamp;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface RoutingRuleTable {
  id: Generated<number>;
  position: number;
  name: string;
  field_codes: ColumnType<string[], string[] | undefined, string[]>;
  area_ids: ColumnType<number[], number[] | undefined, number[]>;
  keywords: ColumnType<string[], string[] | undefined, string[]>;
  unit_id: number;
  auto_assign: Generated<boolean>;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type RoutingRuleRow = Selectable<RoutingRuleTable>;

export interface CalendarDayTable {
  day: ColumnType<string, string, string>;
  kind: 'holiday' | 'workday';
  name: string;
}

export interface AuditLogTable {
  id: GeneratedInt8;
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: string;
  before: string | null;
  after: string | null;
  reason: string | null;
  ip: string | null;
  created_at: Generated<Date>;
  /** success, failure or refused (0011); admin changes are successes. */
  outcome: Generated<'success' | 'failure' | 'refused'>;
  /** A non-staff actor, e.g. "api_key:3 Zalo mini app" (0011). */
  client: string | null;
}

export interface StaffRecoveryCodeTable {
  id: Generated<number>;
  user_id: number;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface ResponseTemplateTable {
  id: Generated<number>;
  field_code: string | null;
  title: string;
  body_vi: string;
  body_en: string;
}

export interface WebhookTable {
  id: Generated<number>;
  unit_id: number | null;
  url: string;
  secret: string;
  events: string[];
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface WebhookDeliveryTable {
  id: GeneratedInt8;
  outbox_id: Int8;
  webhook_id: number;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  delivered_at: NullableTimestamp;
  last_status: number | null;
  last_error: string | null;
  created_at: Generated<Date>;
}

export interface NotificationTable {
  id: GeneratedInt8;
  report_id: Int8;
  recipient: 'reporter' | 'follower' | 'unit';
  follower_id: Int8 | null;
  channel: 'page' | 'email';
  status: string;
  message_vi: string;
  message_en: string;
  sent_at: NullableTimestamp;
  lease_until: NullableTimestamp;
  created_at: Generated<Date>;
  /** Where the e-mail links when not to the tracking page (a follow confirmation); cleared once sent (0012). */
  link: string | null;
}

export interface ApiKeyTable {
  id: Generated<number>;
  client_name: string;
  key_hash: string;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
  /** 'unit': may update unit_id's reports; 'own': only the reports filed with this key (0010). */
  scope: Generated<'own' | 'unit'>;
  unit_id: number | null;
}
export type ApiKeyRow = Selectable<ApiKeyTable>;
export type NewApiKeyRow = Insertable<ApiKeyTable>;

export const ATTRIBUTE_DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;
export type AttributeDatatype = (typeof ATTRIBUTE_DATATYPES)[number];
export interface AttributeOption {
  key: string;
  name: string;
}

export interface FieldAttributeTable {
  field_code: string;
  code: string;
  datatype: AttributeDatatype;
  required: Generated<boolean>;
  variable: Generated<boolean>;
  description: string;
  datatype_description: string | null;
  sort_order: Generated<number>;
  /** Written as a JSON string, read back parsed. */
  value_options: ColumnType<AttributeOption[] | null, string | null, string | null>;
}
export type FieldAttributeRow = Selectable<FieldAttributeTable>;
export type NewFieldAttributeRow = Insertable<FieldAttributeTable>;

export interface ReportAttributeTable {
  report_id: Int8;
  code: string;
  value: string;
}
export type NewReportAttributeRow = Insertable<ReportAttributeTable>;

export interface ExternalUpdateTable {
  id: GeneratedInt8;
  source: string;
  update_id: string;
  report_id: Int8;
  event_id: Int8;
  created_at: Generated<Date>;
}

export interface RateLimitCounterTable {
  key: string;
  window_start: Timestamp;
  window_end: Timestamp;
  hits: Generated<number>;
}

export type AbusiveMarkKind = 'client' | 'phone';
export interface AbusiveMarkTable {
  id: GeneratedInt8;
  kind: AbusiveMarkKind;
  value: string;
  reason: string;
  marked_by: number | null;
  created_at: Generated<Date>;
  revoked_at: NullableTimestamp;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

/** A one-time data fix a migration asked for, not yet finished (server/db/data-fixes.ts). */
export interface PendingDataFixTable {
  name: string;
  /** The last id the fix has done; it goes on after it. */
  after_id: GeneratedInt8;
}

export type PlanLevel = 'general' | 'zoning' | 'detailed';
export type PlanStatus = 'in_force' | 'superseded';

export interface LandUseClassTable {
  code: string;
  grp: 'agricultural' | 'non_agricultural' | 'unused';
  name_vi: string;
  name_en: string;
  color: string;
  sort_order: number;
}
export type LandUseClassRow = Selectable<LandUseClassTable>;

export interface PlanTable {
  id: Generated<number>;
  name: string;
  level: PlanLevel;
  authority: string | null;
  decision_number: string | null;
  decision_date: ColumnType<string | null, string | null | undefined, string | null>;
  scale: string | null;
  status: Generated<PlanStatus>;
  source: string;
  is_demo: Generated<boolean>;
  created_at: Generated<Date>;
}
export type PlanRow = Selectable<PlanTable>;
export type NewPlanRow = Insertable<PlanTable>;

export interface PlanningZoneTable {
  id: Generated<number>;
  plan_id: number;
  land_use_code: string;
  label: string | null;
  max_height_m: number | null;
  max_floors: number | null;
  density_pct: number | null;
  far: number | null;
  min_lot_m2: number | null;
  notes: string | null;
  source_ref: string | null;
  area_m2: number;
  geom: Geometry;
}
export type PlanningZoneRow = Selectable<PlanningZoneTable>;

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
  staff_sessions: StaffSessionTable;
  login_throttle: LoginThrottleTable;
  routing_rules: RoutingRuleTable;
  calendar_days: CalendarDayTable;
  audit_log: AuditLogTable;
  staff_recovery_codes: StaffRecoveryCodeTable;
  response_templates: ResponseTemplateTable;
  webhooks: WebhookTable;
  webhook_deliveries: WebhookDeliveryTable;
  notifications: NotificationTable;
  api_keys: ApiKeyTable;
  field_attributes: FieldAttributeTable;
  report_attributes: ReportAttributeTable;
  external_updates: ExternalUpdateTable;
  rate_limit_counters: RateLimitCounterTable;
  abusive_marks: AbusiveMarkTable;
  schema_migrations: SchemaMigrationTable;
  pending_data_fixes: PendingDataFixTable;
  land_use_classes: LandUseClassTable;
  plans: PlanTable;
  planning_zones: PlanningZoneTable;
}

/** A handle queries run on: the database, or a transaction in progress. */
export type Db = Kysely<Database> | Transaction<Database>;
