import type { InferRequestType, InferResponseType } from 'hono/client';
import { SLA_STATES as ALL_SLA_STATES, type SlaState } from '../../../../server/domain/statuses.js';
import { api, ApiError, unwrap, type Field } from '../api.js';
import { staffSession, type Me, type SessionRestriction, type StaffUser } from './session.svelte.js';

/**
 * The back office's calls, through the one typed client (`api`). Every
 * state-changing request carries the session's CSRF token; a 401 anywhere
 * means the session ended, and the session state sends the user to sign in.
 */

export type { Me, SessionRestriction, StaffUser };
export type StaffRole = StaffUser['role'];
export type Inbox = InferResponseType<typeof api.staff.reports.$get, 200>;
export type InboxItem = Inbox['items'][number];
export type StaffReport = InferResponseType<(typeof api.staff.reports)[':code']['$get'], 200>;
export type StaffAction = StaffReport['allowed_actions'][number];
export type StaffEvent = StaffReport['timeline'][number];
export type StaffMedia = StaffReport['media'][number];
export type ResponseTemplate = StaffReport['templates'][number];
export type Unit = InferResponseType<typeof api.staff.units.$get, 200>[number];
export type AdminUser = InferResponseType<typeof api.admin.users.$get, 200>[number];
export type AdminUnit = InferResponseType<typeof api.admin.units.$get, 200>[number];
export type RoutingRule = InferResponseType<(typeof api.admin)['routing-rules']['$get'], 200>[number];
export type Simulation = InferResponseType<typeof api.admin.routing.simulate.$get, 200>;
export type Webhook = InferResponseType<typeof api.admin.webhooks.$get, 200>[number];
export type Delivery = InferResponseType<(typeof api.admin)['webhook-deliveries']['$get'], 200>[number];
export type ApiKey = InferResponseType<(typeof api.admin)['api-keys']['$get'], 200>[number];
export type CalendarDay = InferResponseType<typeof api.admin.calendar.$get, 200>[number];
export type AccountStatus = InferResponseType<typeof api.auth.account.$get, 200>;
export type AuditPage = InferResponseType<typeof api.admin.audit.$get, 200>;
export type AuditItem = AuditPage['items'][number];
export type { Field };

export { REPORT_STATUSES, type SlaState } from '../../../../server/domain/statuses.js';
/** The deadline states a filter offers ("none": no deadline, is not one to look for). */
export const SLA_STATES = ALL_SLA_STATES.filter((s): s is Exclude<SlaState, 'none'> => s !== 'none');
export const REJECT_REASONS = ['spam', 'duplicate', 'out_of_scope', 'insufficient_info'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
export const WEBHOOK_EVENTS = [
  'report.created', 'report.assigned', 'report.updated', 'report.resolved', 'report.rejected',
  'report.merged', 'report.reopened', 'report.closed', 'report.withdrawn',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const ROLES = ['admin', 'dispatcher', 'officer', 'leader'] as const;

/** Reads our JSON error shape; a 401 also ends the local session. */
async function check<T>(res: { ok: boolean; status: number; json(): Promise<T>; headers?: Headers }): Promise<T> {
  try {
    return await unwrap(res);
  } catch (error) {
    // A wrong password or a missing/wrong second-factor code is an answer to the sign-in form, not the end of a session.
    const code = (error as ApiError).code;
    if (res.status === 401 && code !== 'invalid_credentials' && !code.startsWith('totp_')) staffSession.expired();
    throw error;
  }
}

const csrf = () => ({ headers: { 'X-CSRF-Token': staffSession.csrf ?? '' } });
const withSignal = (signal?: AbortSignal) => ({ init: { signal } });

// --- session -----------------------------------------------------------------

/** The second-factor code (or a recovery code) goes with the password, once the server has asked for it. */
export async function login(username: string, password: string, totp?: string) {
  return check(await api.auth.login.$post({ json: totp ? { username, password, totp } : { username, password } }));
}
export async function fetchMe(signal?: AbortSignal): Promise<Me> {
  return check(await api.auth.me.$get(undefined, withSignal(signal)));
}
export async function logout() {
  return check(await api.auth.logout.$post(undefined, csrf()));
}

// --- own account: password and second factor ---------------------------------------

export async function fetchAccount(signal?: AbortSignal): Promise<AccountStatus> {
  return check(await api.auth.account.$get(undefined, withSignal(signal)));
}
export async function changePassword(current_password: string, new_password: string) {
  return check(await api.auth.password.$post({ json: { current_password, new_password } }, csrf()));
}
export async function startTotp(password: string) {
  return check(await api.auth.totp.enrol.$post({ json: { password } }, csrf()));
}
export async function confirmTotp(code: string) {
  return check(await api.auth.totp.confirm.$post({ json: { code } }, csrf()));
}
export async function disableTotp(password: string) {
  return check(await api.auth.totp.disable.$post({ json: { password } }, csrf()));
}
export async function newRecoveryCodes(code: string) {
  return check(await api.auth.totp['recovery-codes'].$post({ json: { code } }, csrf()));
}

// --- inbox and reports -----------------------------------------------------------

export interface InboxQuery {
  inbox: 'all' | 'dispatch' | 'unit' | 'overdue';
  status?: string;
  field?: string;
  sla?: string;
  area?: string;
  unit?: string;
  sort: 'created' | 'due';
  cursor?: string;
  page_size?: number;
}

export async function fetchInbox(q: InboxQuery, signal?: AbortSignal): Promise<Inbox> {
  const query: Record<string, string> = { inbox: q.inbox, sort: q.sort, page_size: String(q.page_size ?? 50) };
  for (const key of ['status', 'field', 'sla', 'area', 'unit', 'cursor'] as const) {
    const value = q[key];
    if (value) query[key] = value;
  }
  return check(await api.staff.reports.$get({ query }, withSignal(signal)));
}

export async function fetchStaffReport(code: string, signal?: AbortSignal): Promise<StaffReport> {
  return check(await api.staff.reports[':code'].$get({ param: { code } }, withSignal(signal)));
}

/** A staff action as the server's validator takes it (without the version, which performAction adds). */
export type ActionBody = DistributiveOmit<InferRequestType<(typeof api.staff.reports)[':code']['actions']['$post']>['json'], 'version'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export async function performAction(code: string, body: ActionBody & { version: number }) {
  return check(await api.staff.reports[':code'].actions.$post({ param: { code }, json: body }, csrf()));
}

/** The official response: multipart, because after-photos travel with the text. */
export async function publishResponse(code: string, text: string, photos: File[], version: number) {
  const form = new FormData();
  form.set('text', text);
  form.set('version', String(version));
  for (const photo of photos) form.append('photos', photo, photo.name);
  const res = await fetch(`/api/staff/reports/${encodeURIComponent(code)}/response`, {
    method: 'POST',
    body: form,
    headers: { 'X-CSRF-Token': staffSession.csrf ?? '', Accept: 'application/json' },
  });
  return check(res as { ok: boolean; status: number; json(): Promise<{ code: string; event_id: string; photos: number; version: number }> });
}

export async function bulkAssign(codes: string[], unitId: number) {
  return check(await api.staff.reports['bulk-assign'].$post({ json: { codes, unit_id: unitId } }, csrf()));
}

export async function fetchUnits(signal?: AbortSignal): Promise<Unit[]> {
  return check(await api.staff.units.$get(undefined, withSignal(signal)));
}

// --- administration ------------------------------------------------------------

export async function fetchUsers(signal?: AbortSignal) {
  return check(await api.admin.users.$get(undefined, withSignal(signal)));
}
export async function createUser(body: { username: string; display_name: string; password: string; role: StaffRole; unit_id: number | null }) {
  return check(await api.admin.users.$post({ json: body }, csrf()));
}
export async function updateUser(id: number, body: { display_name?: string; password?: string; role?: StaffRole; unit_id?: number | null; disabled?: boolean; reset_totp?: true }) {
  return check(await api.admin.users[':id'].$patch({ param: { id: String(id) }, json: body }, csrf()));
}
export async function fetchAdminUnits(signal?: AbortSignal) {
  return check(await api.admin.units.$get(undefined, withSignal(signal)));
}

export interface RuleInput {
  position: number;
  name: string;
  field_codes: string[];
  area_codes: string[];
  keywords: string[];
  unit_id: number;
  auto_assign: boolean;
  active: boolean;
}
export async function fetchRules(signal?: AbortSignal) {
  return check(await api.admin['routing-rules'].$get(undefined, withSignal(signal)));
}
export async function saveRule(id: number | null, body: RuleInput) {
  if (id === null) return check(await api.admin['routing-rules'].$post({ json: body }, csrf()));
  return check(await api.admin['routing-rules'][':id'].$put({ param: { id: String(id) }, json: body }, csrf()));
}
export async function deleteRule(id: number) {
  return check(await api.admin['routing-rules'][':id'].$delete({ param: { id: String(id) } }, csrf()));
}
export async function simulateRouting(q: { lat: number; lon: number; field: string; text: string }, signal?: AbortSignal) {
  const query = { lat: q.lat.toFixed(6), lon: q.lon.toFixed(6), field: q.field, text: q.text };
  return check(await api.admin.routing.simulate.$get({ query }, withSignal(signal)));
}

export async function fetchWebhooks(signal?: AbortSignal) {
  return check(await api.admin.webhooks.$get(undefined, withSignal(signal)));
}
export async function createWebhook(body: { unit_id: number | null; url: string; secret: string; events: WebhookEvent[]; active: boolean }) {
  return check(await api.admin.webhooks.$post({ json: body }, csrf()));
}
export async function fetchApiKeys(signal?: AbortSignal) {
  return check(await api.admin['api-keys'].$get(undefined, withSignal(signal)));
}
/** The key itself is in this reply only; it is never sent again. */
export async function issueApiKey(body: { client_name: string; scope: 'own' | 'unit'; unit_id: number | null }) {
  return check(await api.admin['api-keys'].$post({ json: body }, csrf()));
}
export async function revokeApiKey(id: number) {
  return check(await api.admin['api-keys'][':id'].$delete({ param: { id: String(id) } }, csrf()));
}
export async function fetchDeliveries(webhook?: number, signal?: AbortSignal) {
  const query: Record<string, string> = { limit: '100' };
  if (webhook) query.webhook = String(webhook);
  return check(await api.admin['webhook-deliveries'].$get({ query }, withSignal(signal)));
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  outcome?: 'success' | 'failure' | 'refused';
  entity?: string;
  entity_id?: string;
  from?: string;
  to?: string;
  before?: string;
}
export async function fetchAudit(q: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
  const query: Record<string, string> = { page_size: '100' };
  for (const [key, value] of Object.entries(q)) if (value) query[key] = value;
  return check(await api.admin.audit.$get({ query }, withSignal(signal)));
}

export async function fetchCalendar(signal?: AbortSignal) {
  return check(await api.admin.calendar.$get(undefined, withSignal(signal)));
}
export async function saveCalendarDay(body: { day: string; kind: 'holiday' | 'workday'; name: string }) {
  return check(await api.admin.calendar.$put({ json: body }, csrf()));
}
export async function deleteCalendarDay(day: string) {
  return check(await api.admin.calendar[':day'].$delete({ param: { day } }, csrf()));
}
