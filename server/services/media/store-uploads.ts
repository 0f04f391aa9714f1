import fsp from 'node:fs/promises';
import type { UploadedFile } from './uploads.js';
import { processPhoto, processVideo, type ProcessedMedia } from './process.js';
import type { MediaStorage } from './storage.js';

/**
 * Strips and stores a request's uploads. `discard()` removes what was stored
 * (call it when the database transaction fails); `cleanup()` removes the
 * temporary files and must always run.
 */
export async function storeUploads(storage: MediaStorage, files: UploadedFile[]) {
  const processed: ProcessedMedia[] = [];
  const stored: string[] = [];
  const cleanup = () =>
    Promise.all([
      ...files.map((f) => fsp.rm(f.tmpPath, { force: true })),
      ...processed.flatMap((m) => [m.mainPath, m.thumbPath].filter((p): p is string => !!p).map((p) => fsp.rm(p, { force: true }))),
    ]).then(() => undefined);
  const discard = () => Promise.all(stored.map((key) => storage.delete(key).catch(() => {}))).then(() => undefined);
  try {
    for (const f of files) {
      const label = `${f.field}[${f.index}]`;
      processed.push(f.field === 'video' ? await processVideo(f.tmpPath, label) : await processPhoto(f.tmpPath, label));
    }
    for (const m of processed) {
      await storage.putFile(m.mainKey, m.mainPath);
      stored.push(m.mainKey);
      if (m.thumbPath && m.thumbKey) {
        await storage.putFile(m.thumbKey, m.thumbPath);
        stored.push(m.thumbKey);
      }
    }
  } catch (error) {
    await discard();
    await cleanup();
    throw error;
  }
  return { media: processed, discard, cleanup };
}
