import type { Kysely, Transaction } from 'kysely';
import { isOpen, OPEN_STATUSES } from '../domain/statuses.js';
import { findAreaByCode } from '../db/areas.repo.js';
import { insertAudit, listAudit } from '../db/audit.repo.js';
import type { Database, ReportStatus, SlaState } from '../db/database.js';
import { findFieldByCode } from '../db/fields.repo.js';
import { insertOutbox } from '../db/outbox.repo.js';
import { insertMediaRows } from '../db/media.repo.js';
import { findReportByCode, insertReportEvent, listReportMedia, moveFollowers, updateReport } from '../db/reports.repo.js';
import {
  countHeldForReview, findUnitHeldReport, findWorkflowFacts, listAllEvents, listStaffReports, listTemplates, lockStaffReport, type LockedReport,
} from '../db/staff-reports.repo.js';
import { findReportApiKey } from '../db/open311.repo.js';
import { findUnitById, listActiveUnits } from '../db/units.repo.js';
import { DomainError, notFound } from '../errors.js';
import { MARKING_ROLES, senderAbuseStatus } from './abuse.js';
import { removeTemporaryFiles, type UploadedFile } from './media/uploads.js';
import type { ApiClient } from './api-keys.js';
import type { StaffContext } from './auth.js';
import { dueDate } from './calendar.js';
import { storeUploads } from './media/store-uploads.js';
import type { MediaStorage } from './media/storage.js';
import { notifyPublicChange } from './notifications.js';
import { needsUnitHistory, reportAccess, reportScope, type ReportAccess } from './report-access.js';
import { decodeCursor, encodeCursor, mediaUrls, reportRowToPublic } from './reports.js';
import { assertReopenAllowed, assertTransition, STAFF_ACTION_STEPS, stepAllows, type StaffActionName } from './workflow.js';

export const REJECT_REASONS = ['spam', 'duplicate', 'out_of_scope', 'insufficient_info'] as const;

export type StaffAction = { version?: number } & (
  | { action: 'verify'; note?: string }
  | { action: 'reject'; reason: (typeof REJECT_REASONS)[number]; note?: string }
  | { action: 'classify'; field: string }
  | { action: 'assign'; unit_id: number; note?: string }
  | { action: 'accept'; note?: string }
  | { action: 'decline'; reason: string }
  | { action: 'progress'; note: string; public: boolean }
  | { action: 'resolve'; note: string }
  | { action: 'merge'; parent_code: string }
  | { action: 'set_deadline'; due_at: string; reason: string }
);
/** The staff actions: those of the workflow's step table (the request body's actions and "respond"). */
export type ActionName = StaffActionName;

/**
 * What only an Open311 client asks for (servicerequestupdates): closing or
 * reopening a resolved report, and a public note. It may also accept, resolve
 * and decline as a unit does (staff actions).
 */
export type ClientAction = { version?: number } & (
  | { action: 'close'; note?: string }
  | { action: 'reopen'; note?: string }
  | { action: 'note'; note: string }
);
export type WorkflowAction = StaffAction | ClientAction;

/** Who acts on a report: a signed-in staff member, or an Open311 client through its API key. */
export type Actor = StaffContext | ApiClient;
const isClient = (actor: Actor): actor is ApiClient => 'client_name' in actor;

const CLIENT_ACTIONS: Record<ApiClient['scope'], readonly WorkflowAction['action'][]> = {
  // A unit's document-management system does the unit's work.
  unit: ['accept', 'resolve', 'decline', 'close', 'reopen', 'note'],
  // A reporting app speaks for its reporters: a note, or their verdict on a resolution.
  own: ['close', 'reopen', 'note'],
};

/**
 * A client sees only the reports in its key's scope, and never a held one:
 * anything else is 404, as for a code nobody issued.
 */
async function assertClientMay(trx: Transaction<Database>, client: ApiClient, r: LockedReport, action: WorkflowAction['action']) {
  const inScope = client.scope === 'unit'
    ? r.unit_id !== null && r.unit_id === client.unit_id
    : (await findReportApiKey(trx, r.id)) === client.id;
  if (r.needs_review || !inScope) throw notFound('Report');
  if (!CLIENT_ACTIONS[client.scope].includes(action)) {
    throw new DomainError('forbidden', client.scope === 'own'
      ? 'This key may only add notes to, close or reopen the requests filed with it'
      : `This key may not ${action} reports`);
  }
}

const DISPATCH: ActionName[] = ['verify', 'reject', 'classify', 'assign', 'merge', 'set_deadline'];
const UNIT_WORK: ActionName[] = ['accept', 'decline', 'progress', 'respond', 'resolve'];

/** Which actions a role may take on a report, before looking at its state. */
function roleActions(staff: StaffContext, report: { unit_id: number | null }): ActionName[] {
  switch (staff.role) {
    case 'admin':
      return [...DISPATCH, ...UNIT_WORK];
    case 'dispatcher':
      return DISPATCH;
    case 'officer':
      return report.unit_id !== null && report.unit_id === staff.unitId ? UNIT_WORK : [];
    case 'leader':
      return [];
  }
}

export function allowedActions(staff: StaffContext, report: { unit_id: number | null; status: ReportStatus }): ActionName[] {
  return roleActions(staff, report).filter((a) => stepAllows(a, report.status));
}

function assertMay(staff: StaffContext, report: LockedReport, action: ActionName) {
  if (!roleActions(staff, report).includes(action)) {
    const why = staff.role === 'officer' ? 'Officers may act only on reports assigned to their own unit' : `A ${staff.role} may not ${action} reports`;
    throw new DomainError('forbidden', why);
  }
  if (!stepAllows(action, report.status)) {
    const possible = allowedActions(staff, report);
    throw new DomainError('invalid_transition', `Cannot ${action} a report that is ${report.status}. Allowed now: ${possible.join(', ') || 'none'}.`, {
      action: `Allowed now: ${possible.join(', ') || 'none'}`,
    });
  }
}

/**
 * What this staff member may see of the report, or 404 when it must not
 * exist for them: the same answer as for a code nobody issued, so a refusal
 * tells nothing about another unit's report.
 */
async function accessOrNotFound(
  db: Kysely<Database> | Transaction<Database>, staff: StaffContext, r: { id: string; unit_id: number | null; needs_review: boolean },
): Promise<ReportAccess> {
  const formerlyOwnUnit = needsUnitHistory(staff, r) ? await findUnitHeldReport(db, r.id, staff.unitId!) : false;
  const access = reportAccess(staff, { unit_id: r.unit_id, needs_review: r.needs_review, formerlyOwnUnit });
  if (!access) throw notFound('Report');
  return access;
}

const snapshot = (r: { status: string; unit_id: number | null; due_at: Date | null; field_code: string }) => ({
  status: r.status, unit_id: r.unit_id, due_at: r.due_at?.toISOString() ?? null, field_code: r.field_code,
});

export interface StaffDeps {
  db: Kysely<Database>;
  storage: MediaStorage;
  /** Whether SMTP is configured: status e-mails are queued only then. */
  email: boolean;
  now?: () => Date;
}

/**
 * Applies one staff action to a report under a row lock: permission, state
 * machine, optimistic version, then the change, its timeline event, the audit
 * row, the outbox event and citizen notifications, all in one transaction.
 */
export async function performAction(deps: StaffDeps, actor: Actor, code: string, action: WorkflowAction, ip: string | null) {
  return deps.db.transaction().execute((trx) => performActionIn(trx, deps, actor, code, action, ip));
}

/**
 * performAction inside the caller's transaction. An Open311 client goes
 * through the same path as staff: only its scope and its permitted actions
 * differ, and it is named in the audit row instead of a staff member.
 */
export async function performActionIn(
  trx: Transaction<Database>, deps: Pick<StaffDeps, 'db' | 'now' | 'email'>, actor: Actor, code: string, action: WorkflowAction, ip: string | null,
) {
  const now = deps.now?.() ?? new Date();
  {
    const r = await lockStaffReport(trx, code);
    if (!r) throw notFound('Report');
    if (isClient(actor)) {
      await assertClientMay(trx, actor, r, action.action);
    } else {
      await accessOrNotFound(trx, actor, r);
      // Staff routes send only staff actions; a client-only one is not in any role's list, so it is refused here.
      assertMay(actor, r, action.action as ActionName);
    }
    if (action.version !== undefined && action.version !== r.version) {
      throw new DomainError('stale_report', 'Someone else changed this report in the meantime. Reload it and try again.', {
        version: `Current version is ${r.version}`,
      });
    }
    const before = snapshot(r);
    const applied = await apply(trx, deps, actor, r, action, now);
    await updateReport(trx, r.id, { ...applied.changes, version: r.version + 1 });
    const actorId = isClient(actor) ? null : actor.userId;
    const event = await insertReportEvent(trx, {
      report_id: r.id, type: applied.event, from_status: r.status, to_status: applied.changes.status ?? r.status,
      public: applied.public, note: applied.note ?? null, reason: applied.reason ?? null,
      actor_id: actorId, unit_id: applied.changes.unit_id ?? r.unit_id, created_at: now,
    });
    const after = { ...before, ...snapshot({ ...r, ...applied.changes } as LockedReport) };
    await insertAudit(trx, {
      actorId, action: `report.${action.action}`, entity: 'report', entityId: r.code, before, after,
      reason: applied.reason ?? applied.note ?? null, ip, ...(isClient(actor) ? { client: clientLabel(actor) } : {}),
    });
    const unitId = applied.changes.unit_id !== undefined ? applied.changes.unit_id : r.unit_id;
    await insertOutbox(trx, {
      type: applied.outbox, reportId: r.id, unitId,
      payload: { code: r.code, action: action.action, before, after, ...(isClient(actor) ? { client: actor.client_name } : {}) },
    });
    if (applied.public && applied.changes.status && applied.changes.status !== r.status) {
      await notifyPublicChange(trx, r.id, applied.changes.status, deps);
    }
    return { code: r.code, status: (applied.changes.status ?? r.status) as ReportStatus, version: r.version + 1, event_id: event.id };
  }
}

/** How an API client is named in audit rows: its key id and client name. */
export const clientLabel = (client: ApiClient) => `api_key:${client.id} ${client.client_name}`;

interface Applied {
  changes: {
    status?: ReportStatus; unit_id?: number | null; field_code?: string; due_at?: Date; assigned_at?: Date | null;
    resolved_at?: Date | null; closed_at?: Date | null; declined_at?: Date | null; parent_id?: string;
    needs_review?: boolean; reopen_count?: number;
  };
  event: string;
  public: boolean;
  outbox: string;
  note?: string;
  reason?: string;
}

async function apply(
  trx: Transaction<Database>, deps: Pick<StaffDeps, 'db'>, actor: Actor, r: LockedReport, action: WorkflowAction, now: Date,
): Promise<Applied> {
  const to = (status: ReportStatus) => {
    assertTransition(r.status, status);
    return status;
  };
  switch (action.action) {
    // Verifying or assigning is the dispatcher's review: a held report is released to the public.
    case 'verify':
      return { changes: { status: to(STAFF_ACTION_STEPS.verify.to), needs_review: false }, event: 'verified', public: true, outbox: 'report.updated', note: action.note };
    case 'reject':
      return { changes: { status: to(STAFF_ACTION_STEPS.reject.to), closed_at: now }, event: 'rejected', public: true, outbox: 'report.rejected', reason: action.reason, note: action.note };
    case 'classify': {
      const field = await findFieldByCode(trx, action.field);
      if (!field) throw new DomainError('validation_failed', 'Some fields are invalid', { field: `Unknown field "${action.field}"` });
      const due = await dueDate(deps.db, r.created_at, field.deadline_days);
      return { changes: { field_code: field.code, due_at: due }, event: 'classified', public: false, outbox: 'report.updated', note: `${r.field_code} → ${field.code}` };
    }
    case 'assign': {
      const unit = await findUnitById(trx, action.unit_id);
      if (!unit) throw new DomainError('validation_failed', 'Some fields are invalid', { unit_id: `No unit with id ${action.unit_id}` });
      const transfer = r.unit_id !== null && r.status !== 'verified' && r.status !== 'received';
      return {
        changes: { status: to(STAFF_ACTION_STEPS.assign.to), unit_id: unit.id, assigned_at: now, declined_at: null, needs_review: false },
        event: transfer ? 'transferred' : 'assigned', public: true, outbox: 'report.assigned', note: action.note ?? unit.name_vi,
      };
    }
    case 'accept':
      return { changes: { status: to(STAFF_ACTION_STEPS.accept.to) }, event: 'in_progress', public: true, outbox: 'report.updated', note: action.note };
    case 'decline':
      return {
        changes: { status: to(STAFF_ACTION_STEPS.decline.to), unit_id: null, declined_at: now, assigned_at: null },
        event: 'declined', public: false, outbox: 'report.updated', reason: action.reason,
      };
    case 'progress':
      return { changes: {}, event: 'progress', public: action.public, outbox: 'report.updated', note: action.note };
    case 'resolve':
      return { changes: { status: to(STAFF_ACTION_STEPS.resolve.to), resolved_at: now }, event: 'resolved', public: true, outbox: 'report.resolved', note: action.note };
    case 'merge': {
      if (action.parent_code === r.code) throw new DomainError('validation_failed', 'Some fields are invalid', { parent_code: 'A report cannot be merged into itself' });
      const parent = await lockStaffReport(trx, action.parent_code);
      if (!parent) throw new DomainError('validation_failed', 'Some fields are invalid', { parent_code: `No report ${action.parent_code}` });
      if (!isOpen(parent.status)) throw new DomainError('invalid_transition', 'The parent report is no longer open');
      // Followers move to the parent, and the child's reporter becomes one of them.
      await moveFollowers(trx, r.id, parent.id);
      await updateReport(trx, parent.id, { follower_count: parent.follower_count + r.follower_count + 1 });
      await insertReportEvent(trx, {
        report_id: parent.id, type: 'duplicate_merged', public: false, note: r.code, actor_id: isClient(actor) ? null : actor.userId, created_at: now,
      });
      return {
        changes: { status: to(STAFF_ACTION_STEPS.merge.to), parent_id: parent.id, closed_at: now, unit_id: r.unit_id },
        event: 'merged', public: true, outbox: 'report.merged', note: parent.code,
      };
    }
    case 'close':
      return { changes: { status: to('closed'), closed_at: now }, event: 'closed', public: true, outbox: 'report.closed', note: action.note };
    case 'reopen':
      assertReopenAllowed(r, now);
      return {
        changes: { status: to('reopened'), resolved_at: null, reopen_count: r.reopen_count + 1 },
        event: 'reopened', public: true, outbox: 'report.reopened', note: action.note,
      };
    case 'note':
      return { changes: {}, event: 'external_update', public: true, outbox: 'report.updated', note: action.note };
    case 'set_deadline': {
      const due = new Date(action.due_at);
      if (due.getTime() <= r.created_at.getTime()) {
        throw new DomainError('validation_failed', 'Some fields are invalid', { due_at: 'The deadline must be after the report was received' });
      }
      return {
        changes: { due_at: due }, event: 'deadline_changed', public: false, outbox: 'report.updated', reason: action.reason,
        note: `${r.due_at?.toISOString() ?? '—'} → ${due.toISOString()}`,
      };
    }
  }
}

/**
 * The unit's official response, published on the public timeline with
 * after-photos. Photos are stripped and stored before the transaction and
 * removed again if it fails, so nothing is left behind.
 */
export async function publishResponse(deps: StaffDeps, staff: StaffContext, code: string, input: { text: string; version?: number }, files: UploadedFile[], ip: string | null) {
  let uploads: Awaited<ReturnType<typeof storeUploads>> | undefined;
  const now = deps.now?.() ?? new Date();
  try {
    // Refuse early, before the photo work, when this person may not respond at all.
    const current = await findReportByCode(deps.db, code);
    if (!current) throw notFound('Report');
    await accessOrNotFound(deps.db, staff, current);
    if (!roleActions(staff, current).includes('respond')) throw new DomainError('forbidden', 'Only the assigned unit may publish a response');
    uploads = await storeUploads(deps.storage, files);
    const processed = uploads.media;
    return await deps.db.transaction().execute(async (trx) => {
      const r = await lockStaffReport(trx, code);
      if (!r) throw notFound('Report');
      await accessOrNotFound(trx, staff, r);
      assertMay(staff, r, 'respond');
      if (input.version !== undefined && input.version !== r.version) {
        throw new DomainError('stale_report', 'Someone else changed this report in the meantime. Reload it and try again.');
      }
      const event = await insertReportEvent(trx, {
        report_id: r.id, type: 'response', public: true, note: input.text, actor_id: staff.userId, unit_id: r.unit_id, created_at: now,
      });
      await insertMediaRows(trx, r.id, event.id, processed);
      await updateReport(trx, r.id, { version: r.version + 1 });
      await insertAudit(trx, { actorId: staff.userId, action: 'report.respond', entity: 'report', entityId: r.code, after: { text: input.text, photos: processed.length }, ip });
      await insertOutbox(trx, { type: 'report.updated', reportId: r.id, unitId: r.unit_id, payload: { code: r.code, action: 'respond' } });
      await notifyPublicChange(trx, r.id, 'response', deps);
      return { code: r.code, event_id: event.id, photos: processed.length, version: r.version + 1 };
    });
  } catch (error) {
    await uploads?.discard();
    throw error;
  } finally {
    await (uploads?.cleanup() ?? removeTemporaryFiles(files));
  }
}

/** The units a report can be assigned to: the active ones, by name. */
export async function assignableUnits(deps: Pick<StaffDeps, 'db'>) {
  return listActiveUnits(deps.db);
}

/** Dispatchers assign many reports at once, in one transaction: all or none. */
export async function bulkAssign(deps: StaffDeps, staff: StaffContext, codes: string[], unitId: number, ip: string | null) {
  // Refused on the role before any code is read, so the answer says nothing about the reports named.
  if (!roleActions(staff, { unit_id: null }).includes('assign')) throw new DomainError('forbidden', `A ${staff.role} may not assign reports`);
  return deps.db.transaction().execute(async (trx) => {
    const results = [];
    for (const [i, code] of codes.entries()) {
      try {
        results.push(await performActionIn(trx, deps, staff, code, { action: 'assign', unit_id: unitId }, ip));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        throw new DomainError(error.code, `${code}: ${error.message} Nothing was assigned.`, { [`codes.${i}`]: error.message });
      }
    }
    return { assigned: results.length, results };
  });
}

export interface StaffListQuery {
  inbox: 'all' | 'dispatch' | 'unit' | 'overdue';
  status?: ReportStatus[];
  field?: string[];
  sla?: SlaState[];
  area?: string;
  unit?: number[];
  sort: 'created' | 'due';
  page_size: number;
  cursor?: string;
}

/**
 * The inbox a staff member sees, within their scope (report-access.ts)
 * whatever they ask for. Keyset pages on (created_at, id) or (due_at, id):
 * stable however many reports arrive meanwhile.
 */
export async function staffInbox(deps: StaffDeps, staff: StaffContext, q: StaffListQuery) {
  const now = deps.now?.() ?? new Date();
  let statuses = q.status;
  let sla = q.sla;
  let unitIds = q.unit;
  if (q.inbox === 'dispatch') statuses = ['received', 'verified'];
  if (q.inbox === 'overdue') sla = ['overdue', 'late_3x'];
  if (q.inbox === 'unit') {
    if (staff.unitId === null) throw new DomainError('validation_failed', 'Some fields are invalid', { inbox: 'You do not belong to a unit' });
    unitIds = [staff.unitId];
    statuses ??= [...OPEN_STATUSES];
  }
  let wardId: number | undefined;
  let districtId: number | undefined;
  if (q.area) {
    const area = await findAreaByCode(deps.db, q.area);
    if (!area) throw new DomainError('validation_failed', 'Some fields are invalid', { area: `Unknown area ${q.area}` });
    if (area.level === 'ward') wardId = area.id;
    if (area.level === 'district') districtId = area.id;
  }
  let after: { key: string; id: string } | undefined;
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    after = { key: c.createdAt.toISOString(), id: c.id };
  }
  const scope = reportScope(staff);
  const filters = { scope, statuses, fields: q.field, sla, wardId, districtId, unitIds, now };
  const [rows, held] = await Promise.all([
    listStaffReports(deps.db, { ...filters, sort: q.sort, after, limit: q.page_size + 1 }),
    scope.held ? countHeldForReview(deps.db, filters) : undefined,
  ]);
  const page = rows.slice(0, q.page_size);
  const last = page[page.length - 1];
  const key = last ? (q.sort === 'due' ? last.due_at! : last.created_at) : undefined;
  return {
    items: page.map((r) => ({
      code: r.code, title: r.title, status: r.status, sla: r.sla, version: r.version,
      field: { code: r.field_code, name_vi: r.field_name_vi, name_en: r.field_name_en, color: r.field_color },
      ward: { code: r.ward_code, name_vi: r.ward_name_vi, name_en: r.ward_name_en },
      unit: r.unit_id ? { id: r.unit_id, name_vi: r.unit_name_vi, name_en: r.unit_name_en } : null,
      created_at: r.created_at.toISOString(), due_at: r.due_at?.toISOString() ?? null, declined: r.declined_at !== null,
      follower_count: r.follower_count, location: { lat: r.lat, lon: r.lon }, needs_review: r.needs_review,
    })),
    next_cursor: rows.length > q.page_size && last && key ? encodeCursor(key, last.id) : null,
    // Open reports of this filter waiting for a dispatcher's review, for those who may release them.
    ...(held !== undefined ? { held_for_review: held } : {}),
  };
}

/** Everything staff need on one report, as much as report-access.ts lets this person see. */
export async function staffReportDetail(deps: StaffDeps, staff: StaffContext, code: string) {
  const r = await findReportByCode(deps.db, code);
  if (!r) throw notFound('Report');
  const access = await accessOrNotFound(deps.db, staff, r);
  const now = deps.now?.() ?? new Date();
  const [allEvents, media, templates, audit] = await Promise.all([
    listAllEvents(deps.db, r.id), listReportMedia(deps.db, r.id), listTemplates(deps.db, r.field_code),
    access.internal ? listAudit(deps.db, 'report', r.code) : [],
  ]);
  // A former unit keeps its own internal notes, not those of the unit that has the report now.
  const events = access.internal ? allEvents : allEvents.filter((e) => e.public || (e.unit_id !== null && e.unit_id === staff.unitId));
  return {
    ...reportRowToPublic(r, now),
    // Even a name the reporter let the public see is a contact detail here: the same rule everywhere.
    reporter_name: access.contact && !r.hide_name ? r.reporter_name : null,
    ...(await findWorkflowFacts(deps.db, r.id)),
    needs_review: r.needs_review,
    // Whether the sender's client and phone are marked abusive (null: the report has none), for those who may mark them.
    abuse: MARKING_ROLES.includes(staff.role) ? await senderAbuseStatus(deps.db, r.code) : null,
    reporter: access.contact
      ? { name: r.reporter_name, phone: r.reporter_phone, email: r.reporter_email, hide_name: r.hide_name }
      : null,
    allowed_actions: allowedActions(staff, r),
    media: media.map((m) => ({ id: m.id, kind: m.kind, mime: m.mime, event_id: m.event_id, ...mediaUrls(m.id, !!m.thumb_key) })),
    timeline: events.map((e) => ({
      id: e.id, type: e.type, public: e.public, from_status: e.from_status, to_status: e.to_status, note: e.note, reason: e.reason,
      actor: e.actor_name, unit: e.unit_name_vi ? { name_vi: e.unit_name_vi, name_en: e.unit_name_en } : null, created_at: e.created_at.toISOString(),
    })),
    audit: audit.map((a) => ({ id: a.id, action: a.action, actor: a.display_name, reason: a.reason, created_at: a.created_at.toISOString() })),
    templates: templates.map((t) => ({ id: t.id, title: t.title, body_vi: t.body_vi, body_en: t.body_en })),
  };
}
