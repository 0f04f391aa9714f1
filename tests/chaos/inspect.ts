import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import type { Database } from '../../server/db/database.js';
import type { Submission } from './submitters.js';

export interface Verdict {
  reports: number;
  acknowledged: number;
  /** Acknowledged (201) submissions whose report is missing or is not theirs. */
  lost: string[];
  /** Submissions stored as more than one report. */
  duplicated: string[];
  /** A 201 replay that named another report than the first 201. */
  replayMismatches: string[];
  /** Reports whose media rows or files are missing, short or undecodable. */
  brokenMedia: string[];
  /** Files under MEDIA_DIR that no media row references (temporary uploads included). */
  orphans: string[];
  outbox: { expected: number; delivered: number; missing: string[]; redelivered: number };
  /** Reports with no report.created event in the outbox. */
  withoutCreatedEvent: string[];
  /** Stored reports whose submission was never acknowledged (the client gave up); not a failure. */
  committedUnacknowledged: number;
}

const MARKER = /chaos:([0-9a-f-]{36})/;

/** Reads the end state of a stopped server and compares it with what its clients were told. */
export async function inspect(
  db: Kysely<Database>, mediaDir: string, submissions: Submission[], received: ReadonlyMap<string, number>,
): Promise<Verdict> {
  const reports = await db.selectFrom('reports').select(['id', 'code', 'description']).execute();
  const media = await db.selectFrom('media').select(['report_id', 'storage_key', 'thumb_key', 'bytes', 'kind']).execute();
  const outbox = await db.selectFrom('outbox').select(['event_id', 'type', 'report_id']).execute();

  const byMarker = new Map<string, typeof reports>();
  for (const r of reports) {
    const marker = MARKER.exec(r.description)?.[1] ?? `(no marker) ${r.code}`;
    byMarker.set(marker, [...(byMarker.get(marker) ?? []), r]);
  }
  const byCode = new Map(reports.map((r) => [r.code, r]));
  const mediaByReport = new Map<string, typeof media>();
  for (const m of media) mediaByReport.set(String(m.report_id), [...(mediaByReport.get(String(m.report_id)) ?? []), m]);
  const submissionByMarker = new Map(submissions.map((s) => [s.marker, s]));

  const lost: string[] = [];
  const replayMismatches: string[] = [];
  for (const s of submissions) {
    if (s.acked === undefined) continue;
    const r = byCode.get(s.acked);
    if (!r) lost.push(`${s.acked} (key ${s.key}): no such report`);
    else if (!r.description.includes(`chaos:${s.marker}`)) lost.push(`${s.acked} (key ${s.key}): holds another submission`);
    for (const code of s.replayCodes) if (code !== s.acked) replayMismatches.push(`${s.key}: first ${s.acked}, then ${code}`);
  }

  const duplicated = [...byMarker].filter(([, rows]) => rows.length > 1).map(([marker, rows]) => `${marker}: ${rows.map((r) => r.code).join(', ')}`);

  const brokenMedia: string[] = [];
  for (const r of reports) {
    const s = submissionByMarker.get(MARKER.exec(r.description)?.[1] ?? '');
    const rows = mediaByReport.get(String(r.id)) ?? [];
    if (s && rows.length !== s.photos) brokenMedia.push(`${r.code}: ${rows.length} media rows, ${s.photos} photos sent`);
    for (const m of rows) {
      const problem = await checkFile(mediaDir, m.storage_key, Number(m.bytes)) ?? (m.thumb_key ? await checkFile(mediaDir, m.thumb_key) : undefined);
      if (problem) brokenMedia.push(`${r.code}: ${problem}`);
    }
  }

  const referenced = new Set(media.flatMap((m) => [m.storage_key, m.thumb_key]).filter((k): k is string => !!k).map((k) => path.join(k.slice(0, 2), k)));
  const orphans = (await listFiles(mediaDir)).filter((f) => !referenced.has(f) && !isLockFile(f));

  const missing = outbox.filter((o) => !received.has(o.event_id)).map((o) => `${o.type} ${o.event_id}`);
  const created = new Set(outbox.filter((o) => o.type === 'report.created').map((o) => String(o.report_id)));

  return {
    reports: reports.length,
    acknowledged: submissions.filter((s) => s.acked !== undefined).length,
    lost,
    duplicated,
    replayMismatches,
    brokenMedia,
    orphans,
    outbox: {
      expected: outbox.length,
      delivered: outbox.length - missing.length,
      missing,
      redelivered: [...received.values()].filter((n) => n > 1).length,
    },
    withoutCreatedEvent: reports.filter((r) => !created.has(String(r.id))).map((r) => r.code),
    committedUnacknowledged: [...byMarker].filter(([marker]) => {
      const s = submissionByMarker.get(marker);
      return s !== undefined && s.acked === undefined;
    }).length,
  };
}

/** A stored file is intact when it exists, has the recorded size and decodes as an image. */
async function checkFile(mediaDir: string, key: string, bytes?: number): Promise<string | undefined> {
  const file = path.join(mediaDir, key.slice(0, 2), key);
  try {
    const stat = await fsp.stat(file);
    if (bytes !== undefined && stat.size !== bytes) return `${key} has ${stat.size} bytes, the row says ${bytes}`;
    const meta = await sharp(file).metadata();
    if (!meta.width || !meta.height) return `${key} does not decode`;
  } catch (error) {
    return `${key}: ${(error as Error).message}`;
  }
  return undefined;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const rel = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

function isLockFile(relative: string) {
  return relative === 'civic-ops.lock';
}
