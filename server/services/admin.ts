import type { Kysely } from 'kysely';
import { findAreaByCode, findAreasAt, listAllAreaRefs } from '../db/areas.repo.js';
import { fieldExists, updateFieldRow } from '../db/fields.repo.js';
import { insertAudit } from '../db/audit.repo.js';
import { deleteCalendarDay, listCalendarDays, upsertCalendarDay } from '../db/calendar.repo.js';
import type { Database } from '../db/database.js';
import { deleteRoutingRule, insertRoutingRule, listRoutingRules, updateRoutingRule } from '../db/routing.repo.js';
import { searchAudit, type AuditOutcome } from '../db/audit.repo.js';
import { clearTotp, findStaffById, findStaffIdByUsername, insertStaff, listStaff, revokeUserSessions, updateStaff } from '../db/staff.repo.js';
import { findUnitById, insertUnit, listUnitsWithCoverage, replaceUnitCoverage, updateUnit } from '../db/units.repo.js';
import { deleteWebhook, insertWebhook, listDeliveries, listWebhookRows, updateWebhook } from '../db/webhooks.repo.js';
import { DomainError, notFound, outsideRegion, validationFailed } from '../errors.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyScope } from './api-keys.js';
import { resolveWebhookTarget, WebhookTargetRefused } from './webhook-address.js';
import type { WebhookPolicy } from './webhooks.js';
import { assertPasswordPolicy, hashPassword, type StaffContext } from './auth.js';
import { recordSecurityEvent } from './security-events.js';
import { invalidateCalendar } from './calendar.js';
import { routeReport } from './routing.js';

type Db = Kysely<Database>;

async function areaIdsFor(db: Db, codes: string[], field: string): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, code] of codes.entries()) {
    const area = await findAreaByCode(db, code);
    if (!area) throw validationFailed({ [`${field}.${i}`]: `Unknown area ${code}` });
    ids.push(area.id);
  }
  return ids;
}

async function assertUnit(db: Db, unitId: number | null, field = 'unit_id') {
  if (unitId !== null && !(await findUnitById(db, unitId))) throw validationFailed({ [field]: `No unit with id ${unitId}` });
}

function unique(error: unknown, field: string, message: string): never {
  if ((error as { code?: string }).code === '23505') throw validationFailed({ [field]: message });
  throw error;
}

export async function createUser(db: Db, actor: StaffContext, input: { username: string; display_name: string; password: string; role: StaffContext['role']; unit_id: number | null }) {
  if (input.role === 'officer' && input.unit_id === null) throw validationFailed({ unit_id: 'An officer must belong to a unit' });
  await assertUnit(db, input.unit_id);
  assertPasswordPolicy(input.password, [input.username, input.display_name]);
  const password_hash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const user = await insertStaff(trx, { username: input.username, display_name: input.display_name, password_hash, role: input.role, unit_id: input.unit_id })
      .catch((e) => unique(e, 'username', 'This username is taken'));
    await insertAudit(trx, { actorId: actor.userId, action: 'user.create', entity: 'staff_user', entityId: String(user.id), after: { ...user, created_at: undefined } });
    return user;
  });
}

/**
 * Disabling an account or changing its role ends its sessions at once. A
 * password set here is a reset: the user must choose their own at next login.
 * reset_totp removes a lost second factor (the user enrols again if their role needs one).
 */
export async function changeUser(db: Db, actor: StaffContext, id: number, input: {
  display_name?: string; password?: string; role?: StaffContext['role']; unit_id?: number | null; disabled?: boolean; reset_totp?: boolean;
}, ip?: string) {
  const before = await findStaffById(db, id);
  if (!before) throw notFound('User');
  if (input.unit_id !== undefined) await assertUnit(db, input.unit_id);
  const role = input.role ?? before.role;
  const unitId = input.unit_id !== undefined ? input.unit_id : before.unit_id;
  if (role === 'officer' && unitId === null) throw validationFailed({ unit_id: 'An officer must belong to a unit' });
  if (id === actor.userId && (input.disabled || (input.role && input.role !== 'admin'))) {
    throw new DomainError('self_lockout', 'You cannot disable yourself or drop your own admin role');
  }
  if (input.password) assertPasswordPolicy(input.password, [before.username, input.display_name ?? before.display_name]);
  const password_hash = input.password ? await hashPassword(input.password) : undefined;
  return db.transaction().execute(async (trx) => {
    const changes = {
      ...(input.display_name ? { display_name: input.display_name } : {}),
      ...(input.role ? { role: input.role } : {}),
      ...(input.unit_id !== undefined ? { unit_id: input.unit_id } : {}),
      ...(input.disabled !== undefined ? { disabled: input.disabled } : {}),
      ...(password_hash ? { password_hash, must_change_password: true } : {}),
    };
    // reset_totp alone changes no column of the user row.
    const user = Object.keys(changes).length
      ? await updateStaff(trx, id, changes)
      // The same columns updateStaff returns: never the password hash or the TOTP secret.
      : { id: before.id, username: before.username, display_name: before.display_name, role: before.role, unit_id: before.unit_id, disabled: before.disabled, created_at: before.created_at };
    if (input.disabled || input.role || input.password || input.unit_id !== undefined || input.reset_totp) await revokeUserSessions(trx, id, new Date());
    const target = { entity: 'staff_user', id: String(id) };
    if (password_hash) await recordSecurityEvent(trx, { action: 'auth.password.reset', outcome: 'success', actorId: actor.userId, ip, target });
    if (input.reset_totp) {
      await clearTotp(trx, id);
      await recordSecurityEvent(trx, { action: 'auth.totp.reset', outcome: 'success', actorId: actor.userId, ip, target });
    }
    await insertAudit(trx, {
      actorId: actor.userId, action: 'user.update', entity: 'staff_user', entityId: String(id),
      before: { role: before.role, unit_id: before.unit_id, disabled: before.disabled },
      after: { role: user?.role, unit_id: user?.unit_id, disabled: user?.disabled, password_changed: !!password_hash },
    });
    return user;
  });
}

export { listStaff };

/** Audit rows for the admin browser, newest first; next_cursor is the id to pass as `before` for the next page. */
export async function browseAudit(db: Db, q: {
  actor?: string; action?: string; outcome?: AuditOutcome; entity?: string; entity_id?: string; from?: Date; to?: Date; before?: string; page_size: number;
}) {
  let actorId: number | undefined;
  if (q.actor !== undefined) {
    // By id or by username; an unknown username matches nothing rather than everything.
    actorId = /^\d+$/.test(q.actor) ? Number(q.actor) : (await findStaffIdByUsername(db, q.actor.toLowerCase())) ?? -1;
  }
  const rows = await searchAudit(db, {
    actorId, action: q.action, outcome: q.outcome, entity: q.entity, entityId: q.entity_id, from: q.from, to: q.to, beforeId: q.before, limit: q.page_size + 1,
  });
  const more = rows.length > q.page_size;
  const items = rows.slice(0, q.page_size).map((r) => ({
    id: String(r.id), at: r.created_at.toISOString(), action: r.action, outcome: r.outcome,
    actor: r.actor_id === null ? null : { id: r.actor_id, username: r.actor_username }, client: r.client, ip: r.ip,
    target: { entity: r.entity, id: r.entity_id },
    detail: parseJson(r.after), before: parseJson(r.before), reason: r.reason,
  }));
  return { items, next_cursor: more ? items.at(-1)!.id : null };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function listUnits(db: Db) {
  return listUnitsWithCoverage(db);
}

export async function saveUnit(db: Db, actor: StaffContext, id: number | undefined, input: {
  code: string; kind: 'ward_committee' | 'department' | 'utility' | 'other'; name_vi: string; name_en: string;
  email: string | null; phone: string | null; area_codes: string[]; field_codes: string[]; active: boolean;
}) {
  const areaIds = await areaIdsFor(db, input.area_codes, 'area_codes');
  for (const [i, f] of input.field_codes.entries()) {
    if (!(await fieldExists(db, f))) throw validationFailed({ [`field_codes.${i}`]: `Unknown field ${f}` });
  }
  return db.transaction().execute(async (trx) => {
    const values = { code: input.code, kind: input.kind, name_vi: input.name_vi, name_en: input.name_en, email: input.email, phone: input.phone, active: input.active };
    let unitId = id;
    if (unitId === undefined) {
      unitId = await insertUnit(trx, values).catch((e) => unique(e, 'code', 'This code is taken'));
    } else if (!(await updateUnit(trx, unitId, values).catch((e) => unique(e, 'code', 'This code is taken')))) {
      throw notFound('Unit');
    }
    await replaceUnitCoverage(trx, unitId, areaIds, input.field_codes);
    await insertAudit(trx, { actorId: actor.userId, action: id ? 'unit.update' : 'unit.create', entity: 'unit', entityId: String(unitId), after: input });
    return { id: unitId };
  });
}

export async function listRules(db: Db) {
  const rules = await listRoutingRules(db);
  const areas = await listAllAreaRefs(db);
  const byId = new Map(areas.map((a) => [a.id, a]));
  return rules.map((r) => ({ ...r, areas: r.area_ids.map((id) => byId.get(id)).filter(Boolean) }));
}

export async function saveRule(db: Db, actor: StaffContext, id: number | undefined, input: {
  position: number; name: string; field_codes: string[]; area_codes: string[]; keywords: string[]; unit_id: number; auto_assign: boolean; active: boolean;
}) {
  await assertUnit(db, input.unit_id);
  const area_ids = await areaIdsFor(db, input.area_codes, 'area_codes');
  const { area_codes: _ignored, ...rest } = input;
  return db.transaction().execute(async (trx) => {
    let ruleId = id;
    if (ruleId === undefined) ruleId = (await insertRoutingRule(trx, { ...rest, area_ids })).id;
    else if (!(await updateRoutingRule(trx, ruleId, { ...rest, area_ids }))) throw notFound('Routing rule');
    await insertAudit(trx, { actorId: actor.userId, action: id ? 'rule.update' : 'rule.create', entity: 'routing_rule', entityId: String(ruleId), after: input });
    return { id: ruleId };
  });
}

export async function removeRule(db: Db, actor: StaffContext, id: number) {
  await db.transaction().execute(async (trx) => {
    if (!(await deleteRoutingRule(trx, id))) throw notFound('Routing rule');
    await insertAudit(trx, { actorId: actor.userId, action: 'rule.delete', entity: 'routing_rule', entityId: String(id) });
  });
}

/** What would happen to a report filed here: the rule it hits and the unit, without filing anything. */
export async function simulateRouting(db: Db, q: { lat: number; lon: number; field: string; text: string }) {
  const areas = await findAreasAt(db, q.lon, q.lat);
  if (!areas) throw outsideRegion();
  const decision = await routeReport(db, { fieldCode: q.field, wardId: areas.ward.id, districtId: areas.district.id, provinceId: areas.province.id, text: q.text });
  return {
    ward: { code: areas.ward.code, name_vi: areas.ward.name_vi, name_en: areas.ward.name_en },
    district: { code: areas.district.code, name_vi: areas.district.name_vi, name_en: areas.district.name_en },
    rule: decision.rule,
    unit: decision.unit,
    auto_assign: decision.autoAssign,
    outcome: decision.unit && decision.autoAssign ? 'assigned' : 'dispatcher_queue',
  };
}

export async function listWebhooks(db: Db) {
  return listWebhookRows(db);
}

export async function saveWebhook(
  db: Db, actor: StaffContext, id: number | undefined, input: { unit_id: number | null; url: string; secret?: string; events: string[]; active: boolean },
  policy: WebhookPolicy,
) {
  await assertUnit(db, input.unit_id);
  // Checked here and again at every delivery, since what a name resolves to can change.
  try {
    await resolveWebhookTarget(input.url, policy.allowPrivate);
  } catch (error) {
    if (error instanceof WebhookTargetRefused) {
      throw validationFailed({ url: `${error.message}: webhooks may go only to public addresses, not loopback, private, link-local or cloud metadata ones` });
    }
    throw error;
  }
  if (id === undefined && !input.secret) throw validationFailed({ secret: 'A new webhook needs a secret' });
  return db.transaction().execute(async (trx) => {
    let hookId = id;
    if (hookId === undefined) hookId = await insertWebhook(trx, { ...input, secret: input.secret! });
    else if (!(await updateWebhook(trx, hookId, input))) throw notFound('Webhook');
    await insertAudit(trx, { actorId: actor.userId, action: id ? 'webhook.update' : 'webhook.create', entity: 'webhook', entityId: String(hookId), after: { ...input, secret: '[set]' } });
    return { id: hookId };
  });
}

export async function removeWebhook(db: Db, actor: StaffContext, id: number) {
  await db.transaction().execute(async (trx) => {
    if (!(await deleteWebhook(trx, id))) throw notFound('Webhook');
    await insertAudit(trx, { actorId: actor.userId, action: 'webhook.delete', entity: 'webhook', entityId: String(id) });
  });
}

export { listDeliveries };

export async function calendar(db: Db) {
  return listCalendarDays(db);
}

export async function saveCalendarDay(db: Db, actor: StaffContext, day: { day: string; kind: 'holiday' | 'workday'; name: string }) {
  await db.transaction().execute(async (trx) => {
    await upsertCalendarDay(trx, day);
    await insertAudit(trx, { actorId: actor.userId, action: 'calendar.set', entity: 'calendar_day', entityId: day.day, after: day });
  });
  invalidateCalendar(db);
}

export async function removeCalendarDay(db: Db, actor: StaffContext, day: string) {
  await db.transaction().execute(async (trx) => {
    if (!(await deleteCalendarDay(trx, day))) throw notFound('Calendar day');
    await insertAudit(trx, { actorId: actor.userId, action: 'calendar.delete', entity: 'calendar_day', entityId: day });
  });
  invalidateCalendar(db);
}

export async function updateField(db: Db, actor: StaffContext, code: string, changes: Record<string, unknown>) {
  return db.transaction().execute(async (trx) => {
    if (!(await updateFieldRow(trx, code, changes))) throw notFound('Field');
    await insertAudit(trx, { actorId: actor.userId, action: 'field.update', entity: 'field', entityId: code, after: changes });
    return { code };
  });
}

export async function apiKeys(db: Db) {
  return listApiKeys(db);
}

/** The key is in the reply once and never again; the audit row records who issued it, not the key. */
export async function issueApiKey(db: Db, actor: StaffContext, clientName: string, scope: ApiKeyScope) {
  const created = await createApiKey(db, clientName, scope);
  await insertAudit(db, {
    actorId: actor.userId, action: 'api_key.create', entity: 'api_key', entityId: String(created.id),
    after: { client_name: created.client_name, scope: created.scope, unit_id: created.unit_id },
  });
  return created;
}

export async function withdrawApiKey(db: Db, actor: StaffContext, id: number) {
  if (!(await revokeApiKey(db, id))) throw notFound('API key');
  await insertAudit(db, { actorId: actor.userId, action: 'api_key.revoke', entity: 'api_key', entityId: String(id) });
}
