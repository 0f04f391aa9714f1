import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { findActiveMarks, findReportSender, updateMarkRevoked, upsertMark } from '../db/abuse.repo.js';
import { insertAudit } from '../db/audit.repo.js';
import type { AbusiveMarkKind, Database, StaffRole } from '../db/database.js';
import { DomainError, notFound, validationFailed } from '../errors.js';
import type { StaffContext } from './auth.js';

/**
 * Text as compared for duplicates: without case, Vietnamese diacritics,
 * punctuation or repeated spaces, so trivial edits do not make it new.
 *
 * @example normaliseText('  Ổ GÀ, lớn!! ') === 'o ga lon'
 */
export function normaliseText(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The fingerprint of a report's content: its field and normalised title and description. */
export function contentHashOf(field: string, title: string, description: string): string {
  return crypto.createHash('sha256').update(`${field}\n${normaliseText(title)}\n${normaliseText(description)}`).digest('hex');
}

/**
 * One spelling per Vietnamese number, so a mark on 0912 345 678 also catches +84912345678.
 *
 * @example normalisePhone('+84 912.345.678') === '0912345678'
 */
export function normalisePhone(raw: string): string {
  const s = raw.replace(/[^\d+]/g, '');
  if (s.startsWith('+84')) return `0${s.slice(3)}`;
  if (/^84\d{9,10}$/.test(s)) return `0${s.slice(2)}`;
  return s;
}

/** Which of a sender's identities are marked abusive; any means the report waits for review. */
export async function abusiveMarksOf(db: Kysely<Database>, who: { clientKey?: string; phone?: string }): Promise<AbusiveMarkKind[]> {
  const marks = await findActiveMarks(db, { client: who.clientKey, phone: who.phone ? normalisePhone(who.phone) : undefined });
  return marks.map((m) => m.kind);
}

/** Per identity of a report's sender: marked or not, or null when the report has no such identity. */
async function statusOf(db: Kysely<Database> | Transaction<Database>, sender: { client_key: string | null; reporter_phone: string | null }) {
  const marks = await findActiveMarks(db, { client: sender.client_key ?? undefined, phone: sender.reporter_phone ? normalisePhone(sender.reporter_phone) : undefined });
  return {
    client: sender.client_key ? marks.some((m) => m.kind === 'client') : null,
    phone: sender.reporter_phone ? marks.some((m) => m.kind === 'phone') : null,
  };
}

/** Whether a report's client and phone are marked abusive (null: the report has none). */
export async function senderAbuseStatus(db: Kysely<Database>, code: string) {
  const sender = await findReportSender(db, code);
  return sender ? statusOf(db, sender) : { client: null, phone: null };
}

/** The roles that may mark a sender abusive. */
export const MARKING_ROLES: StaffRole[] = ['admin', 'dispatcher'];

export interface AbuseMarkInput {
  /** Mark the sending client (device, API key or address). */
  client: boolean;
  /** Mark the reporter's phone number. */
  phone: boolean;
  /** false lifts the marks again. */
  abusive: boolean;
  reason: string;
}

/**
 * A dispatcher marks (or unmarks) the client and/or phone a report came
 * from; later reports from them wait for review. Audited on the report, with
 * the reason but never the phone number or address itself.
 */
export async function markReportSender(
  deps: { db: Kysely<Database>; now?: () => Date },
  staff: StaffContext,
  code: string,
  input: AbuseMarkInput,
  ip: string | null,
) {
  if (!MARKING_ROLES.includes(staff.role)) throw new DomainError('forbidden', `This needs one of the roles: ${MARKING_ROLES.join(', ')}`);
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const r = await findReportSender(trx, code);
    if (!r) throw notFound('Report');
    const problems: Record<string, string> = {};
    if (input.client && !r.client_key) problems.client = 'This report carries no client to mark (it was sent before these checks existed, or its contact was anonymised)';
    if (input.phone && !r.reporter_phone) problems.phone = 'This report has no phone number';
    if (Object.keys(problems).length) throw validationFailed(problems);
    const targets: { kind: AbusiveMarkKind; value: string }[] = [];
    if (input.client) targets.push({ kind: 'client', value: r.client_key! });
    if (input.phone) targets.push({ kind: 'phone', value: normalisePhone(r.reporter_phone!) });
    const before = await statusOf(trx, r);
    for (const t of targets) {
      if (input.abusive) await upsertMark(trx, { ...t, reason: input.reason, markedBy: staff.userId, now });
      else await updateMarkRevoked(trx, t.kind, t.value, now);
    }
    const kinds = targets.map((t) => t.kind);
    await insertAudit(trx, {
      actorId: staff.userId, action: input.abusive ? 'sender.mark_abusive' : 'sender.unmark_abusive', entity: 'report', entityId: r.code,
      before, after: { targets: kinds, abusive: input.abusive }, reason: input.reason, ip,
    });
    return { code: r.code, ...(await statusOf(trx, r)) };
  });
}
