import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { h3CellsForPoint } from '../../spatial/h3-cells.js';
import { findAreasAt } from '../db/areas.repo.js';
import type { Database, ReportStatus } from '../db/database.js';
import { findRecentDuplicate, lockContentHash, type DuplicateQuery } from '../db/abuse.repo.js';
import { findFieldByCode } from '../db/fields.repo.js';
import { completeKey } from '../db/idempotency.repo.js';
import { insertReportAttributes } from '../db/open311.repo.js';
import { insertOutbox } from '../db/outbox.repo.js';
import {
  countPublicReports, findNearbyOpenReports, findReportByCode, insertReport, insertReportEvent, listPublicEvents, listPublicReports,
  insertFollowerIfNew, insertRating, listReportMedia, lockReportByCode, updateFollowerConfirmed, updateFollowerConfirmToken, updateManageTokenHash, updateReport, type ReportWithRefs,
} from '../db/reports.repo.js';
import { insertMediaRows } from '../db/media.repo.js';
import { isOpen, OPEN_STATUSES } from '../domain/statuses.js';
import { DomainError, notFound, validationFailed } from '../errors.js';
import { DEFAULT_LANG, msg, type Lang } from '../messages.js';
import { abusiveMarksOf, contentHashOf, normalisePhone } from './abuse.js';
import { removeTemporaryFiles, type UploadedFile } from './media/uploads.js';
import { dueDate } from './calendar.js';
import { claimIdempotencyKey, releaseIdempotencyKey, type Claim } from './idempotency.js';
import { storeUploads } from './media/store-uploads.js';
import type { MediaStorage } from './media/storage.js';
import { hashToken, newManageToken, newReportCode } from './report-code.js';
import { FOLLOW_CONFIRM_HOURS, notifyPublicChange, queueFollowConfirmation } from './notifications.js';
import { routeReport } from './routing.js';
import { slaState } from './sla.js';
import { eventLabel, eventNote } from './timeline-text.js';
import { assertTransition } from './workflow.js';

export interface ReportsDeps {
  db: Kysely<Database>;
  storage: MediaStorage;
  publicBaseUrl?: string;
  /** Whether SMTP is configured: status e-mails and follow confirmations are queued only then. */
  email: boolean;
  now?: () => Date;
  /** Submission checks (config minFillSeconds, duplicateWindowMinutes); 0 or absent turns one off. */
  antiSpam?: { minFillSeconds: number; duplicateWindowMinutes: number };
}

/** What the request says about its sender, besides the report itself. */
export interface Submission {
  /** Who sent it (see reports.client_key); Open311 reports fall back to their API key. */
  clientKey?: string;
  /** The form's honeypot input; people never see it, so anything in it means a program filled the form. */
  honeypot?: string;
  /** When the form was opened, as the form says; our own form always says, so none counts as too fast. */
  openedAt?: Date;
  /** The sender's address key (routes/rate-limit.ts addressKey); absent for in-process requests. */
  address?: string;
  /** The reporter ticked the box agreeing to the contact-data notice (CONTACT_NOTICE_VERSION). */
  contactConsent?: boolean;
}

/**
 * The version of the notice the citizen form shows beside its contact
 * fields (what is collected, why, who sees it, for how long; Decree
 * 13/2023/NĐ-CP). Recorded with each consent; change it whenever the
 * notice's text changes (dashboard i18n keys contact.notice.*).
 */
export const CONTACT_NOTICE_VERSION = '2026-12-v1';

const CONTACT_FIELDS = ['name', 'phone', 'email'] as const;

/** 400 naming each contact field given without the consent box ticked. */
export function assertContactConsent(contact: { name?: string; phone?: string; email?: string }, consent: boolean | undefined) {
  if (consent) return;
  const given = CONTACT_FIELDS.filter((f) => contact[f] !== undefined);
  if (!given.length) return;
  throw new DomainError('consent_required', msg('report.consent_required'), Object.fromEntries(
    given.map((f) => [f, msg('report.consent_required.field')]),
  ));
}

export interface NewReportInput {
  field: string;
  title: string;
  description: string;
  lat: number;
  lon: number;
  name?: string;
  phone?: string;
  email?: string;
  hide_name: boolean;
  /** The rest is set only by channels other than our own form (Open311). */
  source?: string;
  api_key_id?: number;
  address?: string;
  external_media_url?: string;
  flags?: string[];
  attributes?: { code: string; value: string }[];
}

export interface CreatedReport {
  code: string;
  status: ReportStatus;
  ward: { code: string; name: string; name_en: string };
  district: { code: string; name: string; name_en: string };
  unit?: { id: number; name: string; name_en: string };
  due_at?: string;
  manage_token: string;
  url: string;
  manage_url: string;
  /** Present when the report waits for a dispatcher's review before it is shown or routed. */
  needs_review?: true;
  /**
   * On a replay of an Idempotency-Key by the client that sent it: the stored
   * reply keeps no manage token, so a new one was issued and any earlier
   * manage link of this report stopped working.
   */
  manage_token_reissued?: true;
}

/** What an Idempotency-Key keeps of the reply: everything but the manage link. */
type StoredReply = Omit<CreatedReport, 'manage_token' | 'manage_url'>;

const DUPLICATE_WINDOW_DAYS = 30;
const REOPEN_WINDOW_DAYS = 7;

/** Hash of what the client sent, so a replayed Idempotency-Key can be told apart from a reused one. */
export function requestHash(input: NewReportInput, files: UploadedFile[]): string {
  const canonical = JSON.stringify({
    input: Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b))),
    files: files.map((f) => [f.field, f.index, f.sha256]),
  });
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

/**
 * Files a citizen report: resolves the ward, routes it to a unit, strips and
 * stores the media, and writes the report, its timeline, media rows and
 * outbox events in one transaction. On any failure nothing remains: no row,
 * no file, and the Idempotency-Key is released.
 *
 * Submission checks: a filled honeypot is refused (400) before anything is
 * written, and so are contact details without consent (web form); the same
 * text from the same device, address, phone or e-mail within the duplicate
 * window is refused (409) naming the earlier report, atomically (a lock on
 * the text, held to the commit); a sender marked abusive, or a web form sent
 * faster than a person could fill it (or not saying when it was opened), is
 * accepted but held for review: hidden from the public and not routed until
 * a dispatcher verifies it.
 */
export async function createReport(
  deps: ReportsDeps,
  input: NewReportInput,
  files: UploadedFile[],
  idempotencyKey?: string,
  submission: Submission = {},
): Promise<{ status: number; body: CreatedReport }> {
  const { db, storage } = deps;
  let uploads: Awaited<ReturnType<typeof storeUploads>> | undefined;
  let claim: Claim | undefined;
  try {
    if (submission.honeypot?.trim()) {
      throw new DomainError('spam_suspected', msg('report.spam_suspected'), { website: msg('report.spam_suspected.field') });
    }
    // Our own form; Open311 partners collect consent and fill times in their own apps.
    const webForm = (input.source ?? 'web') === 'web';
    if (webForm) assertContactConsent(input, submission.contactConsent);
    const clientKey = submission.clientKey ?? (input.api_key_id !== undefined ? `api_key:${input.api_key_id}` : undefined);
    if (idempotencyKey) {
      // Keys are scoped by client, so a key learnt by someone else opens nothing of the first client's.
      claim = await claimIdempotencyKey(db, 'reports', idempotencyKey, requestHash(input, files), clientKey);
      if (claim.kind === 'replay') return { status: claim.status, body: await reissueManageLink(deps, claim.body as StoredReply) };
    }
    const field = await findFieldByCode(db, input.field);
    if (!field) throw validationFailed({ field: msg('report.unknown_field', { code: input.field }) });
    const now = deps.now?.() ?? new Date();
    const contentHash = contentHashOf(field.code, input.title, input.description);
    const duplicateMinutes = deps.antiSpam?.duplicateWindowMinutes ?? 0;
    const duplicateOf: DuplicateQuery | undefined = duplicateMinutes > 0
      ? {
        contentHash, since: new Date(now.getTime() - duplicateMinutes * 60_000), clientKey, address: submission.address,
        phone: input.phone ? normalisePhone(input.phone) : undefined, email: input.email,
      }
      : undefined;
    // A cheap first look before any media is processed; the check that holds under concurrency runs again in the transaction.
    if (duplicateOf) await refuseDuplicate(db, duplicateOf, now);
    const holds: string[] = [];
    const marked = await abusiveMarksOf(db, { clientKey, phone: input.phone });
    if (marked.length) holds.push(`người gửi bị đánh dấu lạm dụng (${marked.join(', ')})`);
    const minFill = deps.antiSpam?.minFillSeconds ?? 0;
    if (minFill > 0 && submission.openedAt && now.getTime() - submission.openedAt.getTime() < minFill * 1000) {
      holds.push(`gửi sau ${Math.max(0, Math.round((now.getTime() - submission.openedAt.getTime()) / 100) / 10)} giây kể từ khi mở biểu mẫu`);
    } else if (minFill > 0 && webForm && !submission.openedAt) {
      // Our form always sends it: a post without it was made by something else, and skipping it must not skip the check.
      holds.push('biểu mẫu không cho biết thời điểm mở');
    }
    const hasContact = input.name !== undefined || input.phone !== undefined || input.email !== undefined;
    const needsReview = holds.length > 0;
    const areas = await findAreasAt(db, input.lon, input.lat);
    if (!areas) {
      throw new DomainError('outside_region', msg('report.outside_region'), {
        lat: msg('report.outside_region.field'), lon: msg('report.outside_region.field'),
      });
    }
    const routing = await routeReport(db, {
      fieldCode: field.code, wardId: areas.ward.id, districtId: areas.district.id, provinceId: areas.province.id,
      text: `${input.title} ${input.description}`,
    });
    // A held report goes to the dispatcher first, not straight to a unit.
    const unit = routing.autoAssign && !needsReview ? routing.unit : null;
    uploads = await storeUploads(storage, files);
    const processed = uploads.media;

    const dueAt = await dueDate(db, now, field.deadline_days);
    const manageToken = newManageToken();
    const status: ReportStatus = unit ? 'assigned' : 'received';
    const code = newReportCode();
    const body: CreatedReport = {
      code,
      status,
      ward: { code: areas.ward.code, name: areas.ward.name_vi, name_en: areas.ward.name_en },
      district: { code: areas.district.code, name: areas.district.name_vi, name_en: areas.district.name_en },
      ...(unit ? { unit: { id: unit.id, name: unit.name_vi, name_en: unit.name_en } } : {}),
      due_at: dueAt.toISOString(),
      manage_token: manageToken,
      url: publicUrl(deps, `/r/${code}`),
      manage_url: publicUrl(deps, `/r/${code}?token=${manageToken}`),
      ...(needsReview ? { needs_review: true as const } : {}),
    };

    await db.transaction().execute(async (trx) => {
      if (duplicateOf) {
        // Every sender of this text queues here until the earlier transaction commits, so the check sees its row.
        await lockContentHash(trx, contentHash);
        await refuseDuplicate(trx, duplicateOf, now);
      }
      const report = await insertReport(trx, {
        code,
        field_code: field.code,
        title: input.title,
        description: input.description,
        status,
        ...h3CellsForPoint([input.lon, input.lat]),
        ward_id: areas.ward.id,
        district_id: areas.district.id,
        unit_id: unit?.id ?? null,
        reporter_name: input.name ?? null,
        reporter_phone: input.phone ?? null,
        reporter_email: input.email ?? null,
        hide_name: input.hide_name,
        created_at: now,
        updated_at: now,
        assigned_at: unit ? now : null,
        due_at: dueAt,
        manage_token_hash: hashToken(manageToken),
        rule_id: routing.rule?.id ?? null,
        source: input.source ?? 'web',
        api_key_id: input.api_key_id ?? null,
        address: input.address ?? null,
        external_media_url: input.external_media_url ?? null,
        flags: input.flags ?? [],
        client_key: clientKey ?? null,
        sender_address: submission.address ?? null,
        content_hash: contentHash,
        needs_review: needsReview,
        contact_consent_at: webForm && hasContact ? now : null,
        contact_notice_version: webForm && hasContact ? CONTACT_NOTICE_VERSION : null,
      }, input.lon, input.lat);
      if (input.attributes?.length) await insertReportAttributes(trx, report.id, input.attributes);
      const received = await insertReportEvent(trx, { report_id: report.id, type: 'received', to_status: 'received', public: true, created_at: now });
      if (needsReview) {
        await insertReportEvent(trx, { report_id: report.id, type: 'held_for_review', public: false, note: `Chờ duyệt: ${holds.join('; ')}`, created_at: now });
      }
      if (unit) {
        await insertReportEvent(trx, {
          report_id: report.id, type: 'assigned', from_status: 'received', to_status: 'assigned', public: true, unit_id: unit.id,
          note: routing.rule ? `Tự động chuyển theo quy tắc: ${routing.rule.name}` : 'Tự động chuyển theo địa bàn và lĩnh vực', created_at: now,
        });
      }
      await insertMediaRows(trx, report.id, received.id, processed);
      await insertOutbox(trx, { type: 'report.created', reportId: report.id, unitId: unit?.id ?? null, payload: { code, status, needs_review: needsReview } });
      if (unit) await insertOutbox(trx, { type: 'report.assigned', reportId: report.id, unitId: unit.id, payload: { code, unit_id: unit.id } });
      if (claim?.kind === 'claimed') {
        const { manage_token: _token, manage_url: _url, ...stored } = body;
        await completeKey(trx, claim.key, 201, stored satisfies StoredReply);
      }
    });
    return { status: 201, body };
  } catch (error) {
    await uploads?.discard();
    await releaseIdempotencyKey(db, claim).catch(() => {});
    throw error;
  } finally {
    // Before the uploads were processed, only the temporary files exist.
    await (uploads?.cleanup() ?? removeTemporaryFiles(files));
  }
}

/** 409 naming the earlier report when the same text came from the same device, address, phone or e-mail within the window. */
async function refuseDuplicate(db: Kysely<Database> | Transaction<Database>, q: DuplicateQuery, now: Date) {
  // Pointing at the earlier report beats merging as "me too": the same sender is not a second witness.
  const earlier = await findRecentDuplicate(db, q);
  if (!earlier) return;
  const ago = Math.max(1, Math.round((now.getTime() - earlier.created_at.getTime()) / 60_000));
  throw new DomainError('duplicate_report', msg('report.duplicate', { minutes: ago, code: earlier.code }), {
    existing_code: earlier.code,
  });
}

/**
 * The reply to a replayed Idempotency-Key, which only the client that sent
 * the key can reach. It stored no manage token, so a new one is issued (the
 * offline queue retrying after a lost answer still gets a working manage
 * link); the previous token stops working.
 */
async function reissueManageLink(deps: ReportsDeps, stored: StoredReply): Promise<CreatedReport> {
  const manageToken = newManageToken();
  await updateManageTokenHash(deps.db, stored.code, hashToken(manageToken));
  return {
    ...stored,
    manage_token: manageToken,
    manage_url: publicUrl(deps, `/r/${stored.code}?token=${manageToken}`),
    manage_token_reissued: true,
  };
}

function publicUrl(deps: ReportsDeps, path: string): string {
  return deps.publicBaseUrl ? new URL(path, deps.publicBaseUrl).toString() : path;
}

export function mediaUrls(id: string, hasThumb: boolean) {
  return { url: `/media/${id}`, thumb_url: hasThumb ? `/media/${id}?size=thumb` : null };
}

/** The one mapping from a report row to what the public may see. Contact details never appear here. */
export function reportRowToPublic(r: ReportWithRefs, now: Date) {
  return {
    code: r.code,
    title: r.title,
    description: r.description,
    status: r.status,
    sla: slaState(r, now),
    field: { code: r.field_code, name_vi: r.field_name_vi, name_en: r.field_name_en, color: r.field_color, icon: r.field_icon },
    location: { lat: r.lat, lon: r.lon },
    ward: { code: r.ward_code, name_vi: r.ward_name_vi, name_en: r.ward_name_en },
    district: { code: r.district_code, name_vi: r.district_name_vi, name_en: r.district_name_en },
    unit: r.unit_id ? { id: r.unit_id, name_vi: r.unit_name_vi, name_en: r.unit_name_en } : null,
    reporter_name: r.hide_name ? null : r.reporter_name,
    follower_count: r.follower_count,
    created_at: r.created_at.toISOString(),
    due_at: r.due_at?.toISOString() ?? null,
    resolved_at: r.resolved_at?.toISOString() ?? null,
    closed_at: r.closed_at?.toISOString() ?? null,
    on_time: r.due_at ? (r.resolved_at ?? now) <= r.due_at : null,
  };
}

/** The public tracking view: report, photos, and the public timeline, its labels and system notes in the reader's language. */
export async function publicReport(deps: Pick<ReportsDeps, 'db' | 'storage' | 'now'>, code: string, lang: Lang = DEFAULT_LANG) {
  const r = await findReportByCode(deps.db, code);
  if (!r || r.needs_review) throw notFound(msg('report.not_found'));
  const now = deps.now?.() ?? new Date();
  const [events, media] = await Promise.all([listPublicEvents(deps.db, r.id), listReportMedia(deps.db, r.id)]);
  return {
    ...reportRowToPublic(r, now),
    media: media.map((m) => ({ id: m.id, kind: m.kind, mime: m.mime, width: m.width, height: m.height, ...mediaUrls(m.id, !!m.thumb_key), event_id: m.event_id })),
    timeline: events.map((e) => ({
      id: e.id, type: e.type, label: eventLabel(e, lang), from_status: e.from_status, to_status: e.to_status, note: eventNote(e, lang),
      unit: e.unit_name_vi ? { name_vi: e.unit_name_vi, name_en: e.unit_name_en } : null,
      created_at: e.created_at.toISOString(),
    })),
  };
}

export interface ListQuery {
  bbox?: [number, number, number, number];
  fields?: string[];
  statuses?: ReportStatus[];
  limit: number;
  cursor?: string;
}

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || !/^\d{1,18}$/.test(id ?? '') || Number.isNaN(createdAt.getTime())) {
    throw validationFailed({ cursor: msg('input.cursor') });
  }
  return { createdAt, id };
}

/** A page of public reports as GeoJSON, with the cursor of the next page. */
export async function listReports(deps: ReportsDeps, q: ListQuery) {
  const now = deps.now?.() ?? new Date();
  const rows = await listPublicReports(deps.db, {
    bbox: q.bbox, fields: q.fields, statuses: q.statuses, limit: q.limit + 1,
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    type: 'FeatureCollection' as const,
    features: page.map((r) => ({
      type: 'Feature' as const,
      id: r.code,
      geometry: { type: 'Point' as const, coordinates: [r.lon, r.lat] },
      properties: {
        code: r.code, field: r.field_code, title: r.title, status: r.status,
        sla: slaState({ ...r }, now),
        created_at: r.created_at.toISOString(), due_at: r.due_at?.toISOString() ?? null, follower_count: r.follower_count,
      },
    })),
    next_cursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

export async function countReports(deps: ReportsDeps, q: Omit<ListQuery, 'limit' | 'cursor'>) {
  return { count: await countPublicReports(deps.db, { bbox: q.bbox, fields: q.fields, statuses: q.statuses }) };
}

/** Open reports of the same field nearby in the last 30 days: what the citizen might be about to duplicate. */
export async function nearbyReports(deps: ReportsDeps, q: { lat: number; lon: number; field: string }) {
  const field = await findFieldByCode(deps.db, q.field);
  if (!field) throw validationFailed({ field: msg('report.unknown_field', { code: q.field }) });
  const now = deps.now?.() ?? new Date();
  const rows = await findNearbyOpenReports(deps.db, {
    lon: q.lon, lat: q.lat, fieldCode: field.code, radiusM: field.duplicate_radius_m,
    since: new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 86_400_000), openStatuses: OPEN_STATUSES, limit: 20,
  });
  return {
    radius_m: field.duplicate_radius_m,
    reports: rows.map((r) => ({
      code: r.code, title: r.title, status: r.status, follower_count: r.follower_count,
      created_at: r.created_at.toISOString(), location: { lat: r.lat, lon: r.lon }, distance_m: Math.round(r.distance_m),
    })),
  };
}

export interface FollowInput {
  name?: string;
  phone?: string;
  email?: string;
  contact_consent?: boolean;
}

/**
 * "This is my problem too": counts the person as a follower of an open,
 * public report, once. A person is their device (or, without one, their
 * address: see submitterKey), phone or e-mail: a repeat
 * from any of them answers the count as it is, with already_following. An
 * e-mail follower is sent a single-use confirmation link (when SMTP is set
 * up) and gets status e-mails only after opening it.
 */
export async function followReport(deps: ReportsDeps, code: string, input: FollowInput, who: { personKey?: string } = {}) {
  assertContactConsent(input, input.contact_consent);
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const r = await lockReportByCode(trx, code);
    // Held reports do not exist for the public, here as on every other public route.
    if (!r || r.needs_review) throw notFound(msg('report.not_found'));
    if (!isOpen(r.status)) {
      throw new DomainError('report_finished', msg('report.finished'));
    }
    const confirmToken = input.email && deps.email ? newManageToken() : undefined;
    const follower = await insertFollowerIfNew(trx, {
      report_id: r.id, name: input.name ?? null, phone: input.phone ? normalisePhone(input.phone) : null, email: input.email ?? null,
      device_key: who.personKey ?? null,
      confirm_token_hash: confirmToken ? hashToken(confirmToken) : null,
      confirm_expires_at: confirmToken ? new Date(now.getTime() + FOLLOW_CONFIRM_HOURS * 3_600_000) : null,
    });
    if (!follower) {
      // An address that never confirmed may ask again once its link has expired (the per-address rate limit bounds it).
      const renewed = confirmToken && input.email
        ? await updateFollowerConfirmToken(trx, {
          reportId: r.id, email: input.email, tokenHash: hashToken(confirmToken), now,
          expiresAt: new Date(now.getTime() + FOLLOW_CONFIRM_HOURS * 3_600_000),
        })
        : undefined;
      if (renewed) await queueFollowConfirmation(trx, r.id, renewed.id, `/r/${code}?follow_token=${confirmToken}`);
      return { code, follower_count: r.follower_count, already_following: true as const, ...(renewed ? { email_confirmation: 'sent' as const } : {}) };
    }
    await updateReport(trx, r.id, { follower_count: r.follower_count + 1 });
    if (confirmToken) await queueFollowConfirmation(trx, r.id, follower.id, `/r/${code}?follow_token=${confirmToken}`);
    return {
      code, follower_count: r.follower_count + 1,
      // 'not_sent': this server sends no e-mail (no SMTP), so the address only counts.
      ...(input.email ? { email_confirmation: confirmToken ? ('sent' as const) : ('not_sent' as const) } : {}),
    };
  });
}

/** The follower opened the link from the confirmation e-mail: their address may now receive status e-mails. */
export async function confirmFollow(deps: ReportsDeps, code: string, token: string) {
  const now = deps.now?.() ?? new Date();
  const confirmed = await updateFollowerConfirmed(deps.db, { code, tokenHash: hashToken(token), now });
  if (!confirmed) {
    throw new DomainError('invalid_confirmation', msg('report.invalid_confirmation'));
  }
  return { code, confirmed: true as const };
}

function assertToken(stored: string | null, token: string) {
  const given = Buffer.from(hashToken(token), 'hex');
  const expected = Buffer.from(stored ?? '', 'hex');
  if (expected.length !== given.length || !crypto.timingSafeEqual(given, expected)) {
    throw new DomainError('invalid_token', msg('report.invalid_token'));
  }
}

/**
 * Records the reporter's rating. Satisfied closes the report. Not satisfied
 * within 7 days of the resolution reopens it once and notifies the unit;
 * otherwise the report closes with the rating on record.
 */
export async function rateReport(deps: ReportsDeps, code: string, rating: { manage_token: string; satisfied: boolean; comment?: string }) {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const r = await lockReportByCode(trx, code);
    if (!r) throw notFound(msg('report.not_found'));
    assertToken(r.manage_token_hash, rating.manage_token);
    if (r.status !== 'resolved') {
      throw new DomainError('not_resolved', msg('report.not_resolved'));
    }
    await insertRating(trx, { report_id: r.id, satisfied: rating.satisfied, comment: rating.comment ?? null, created_at: now });
    await updateReport(trx, r.id, { rating_satisfied: rating.satisfied });
    await insertReportEvent(trx, {
      report_id: r.id, type: 'rated', public: true, created_at: now,
      note: rating.satisfied ? 'Người dân hài lòng' : 'Người dân chưa hài lòng',
    });
    const withinWindow = r.resolved_at !== null && now.getTime() - r.resolved_at.getTime() <= REOPEN_WINDOW_DAYS * 86_400_000;
    const reopen = !rating.satisfied && r.reopen_count === 0 && withinWindow;
    const next: ReportStatus = reopen ? 'reopened' : 'closed';
    assertTransition(r.status, next);
    await insertReportEvent(trx, {
      report_id: r.id, type: next, from_status: r.status, to_status: next, public: true, unit_id: r.unit_id, created_at: now,
      note: reopen ? rating.comment ?? null : null,
    });
    if (reopen) {
      await updateReport(trx, r.id, { status: 'reopened', reopen_count: r.reopen_count + 1, resolved_at: null });
      await notifyPublicChange(trx, r.id, 'reopened', deps);
      await insertOutbox(trx, { type: 'report.reopened', reportId: r.id, unitId: r.unit_id, payload: { code, comment: rating.comment ?? null } });
    } else {
      await updateReport(trx, r.id, { status: 'closed', closed_at: now });
      await notifyPublicChange(trx, r.id, 'closed', deps);
      await insertOutbox(trx, { type: 'report.closed', reportId: r.id, unitId: r.unit_id, payload: { code, satisfied: rating.satisfied } });
    }
    return { code, status: next, satisfied: rating.satisfied };
  });
}

/** The reporter takes back a report that nobody has resolved yet. */
export async function withdrawReport(deps: ReportsDeps, code: string, request: { manage_token: string; reason?: string }) {
  const now = deps.now?.() ?? new Date();
  return deps.db.transaction().execute(async (trx) => {
    const r = await lockReportByCode(trx, code);
    if (!r) throw notFound(msg('report.not_found'));
    assertToken(r.manage_token_hash, request.manage_token);
    assertTransition(r.status, 'withdrawn');
    await insertReportEvent(trx, {
      report_id: r.id, type: 'withdrawn', from_status: r.status, to_status: 'withdrawn', public: true, note: request.reason ?? null, created_at: now,
    });
    await updateReport(trx, r.id, { status: 'withdrawn', closed_at: now });
    await insertOutbox(trx, { type: 'report.withdrawn', reportId: r.id, unitId: r.unit_id, payload: { code } });
    return { code, status: 'withdrawn' as const };
  });
}
