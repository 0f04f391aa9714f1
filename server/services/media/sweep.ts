import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { findMediaKeysByIds } from '../../db/media.repo.js';
import type { MediaStorage } from './storage.js';

/** The keys process.ts gives files: the media id, "-thumb" for the thumbnail, an extension. */
const MEDIA_KEY = /^([0-9a-f]{32})(?:-thumb)?\.[a-z0-9]+$/;
const BATCH = 500;

/**
 * Removes what a crashed process left in the media store: files stored for
 * a report whose transaction never committed, and temporary uploads. Only
 * files written before `before` are candidates, so the requests of the
 * process running the sweep are never touched; the caller must hold the
 * media directory's lock, so no other process has requests in flight.
 * Keys that do not look like ours are left alone.
 */
export async function sweepOrphanMedia(
  db: Kysely<Database>, storage: MediaStorage, tmpDir: string, before: Date,
): Promise<{ orphans: number; temporary: number }> {
  let orphans = 0;
  let batch: string[] = [];
  const flush = async () => {
    const ids = [...new Set(batch.map((key) => MEDIA_KEY.exec(key)![1]!))];
    const referenced = new Set((await findMediaKeysByIds(db, ids)).flatMap((m) => [m.storage_key, m.thumb_key]));
    for (const key of batch) {
      if (referenced.has(key)) continue;
      await storage.delete(key);
      orphans++;
    }
    batch = [];
  };
  for await (const key of storage.list(before)) {
    if (!MEDIA_KEY.test(key)) continue;
    batch.push(key);
    if (batch.length >= BATCH) await flush();
  }
  await flush();

  let temporary = 0;
  for (const name of await fsp.readdir(tmpDir).catch(() => [] as string[])) {
    const file = path.join(tmpDir, name);
    const stat = await fsp.stat(file).catch(() => undefined);
    if (!stat?.isFile() || stat.mtime >= before) continue;
    await fsp.rm(file, { force: true });
    temporary++;
  }
  return { orphans, temporary };
}
