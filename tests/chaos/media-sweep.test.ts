import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepOrphanMedia } from '../../server/services/media/sweep.js';
import { ENGINES, testApp, testDb } from '../integration/context.js';
import { createField, fixtureFile, postReport, reportForm } from '../integration/factories.js';

const files = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();

describe.each(ENGINES)('startup sweep of media left by a crash (%s)', (engine) => {
  it('removes unreferenced files and temporary uploads written before the start, and nothing else', async () => {
    const db = await testDb(engine);
    const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-sweep-'));
    try {
      const { app, storage } = testApp(db, { MEDIA_DIR: mediaDir });
      const field = await createField(db);
      const res = await postReport(app, reportForm({ field, photos: [{ name: 'a.png', data: fixtureFile('pothole.png') }] }));
      expect(res.status).toBe(201);
      const kept = files(mediaDir);
      expect(kept).toHaveLength(2);

      // What a process killed between storing files and committing leaves behind.
      const id = crypto.randomBytes(16).toString('hex');
      const stranded = [`${id}.jpg`, `${id}-thumb.jpg`];
      fs.mkdirSync(path.join(mediaDir, id.slice(0, 2)), { recursive: true });
      for (const key of stranded) fs.writeFileSync(path.join(mediaDir, id.slice(0, 2), key), 'x');
      fs.mkdirSync(path.join(mediaDir, 'tmp'), { recursive: true });
      fs.writeFileSync(path.join(mediaDir, 'tmp', `${crypto.randomUUID()}.upload`), 'partial');
      // A name that is not ours is never deleted.
      fs.writeFileSync(path.join(mediaDir, id.slice(0, 2), 'README.txt'), 'operator note');
      // Files of requests the sweeping process itself is serving are newer than its start.
      const start = new Date(Date.now() + 60_000);
      const newer = crypto.randomBytes(16).toString('hex');
      fs.mkdirSync(path.join(mediaDir, newer.slice(0, 2)), { recursive: true });
      const newerFile = path.join(mediaDir, newer.slice(0, 2), `${newer}.jpg`);
      fs.writeFileSync(newerFile, 'in flight');
      const inFlightUpload = path.join(mediaDir, 'tmp', 'in-flight.upload');
      fs.writeFileSync(inFlightUpload, 'in flight');
      const later = new Date(start.getTime() + 60_000);
      fs.utimesSync(newerFile, later, later);
      fs.utimesSync(inFlightUpload, later, later);

      const swept = await sweepOrphanMedia(db, storage, path.join(mediaDir, 'tmp'), start);
      expect(swept).toEqual({ orphans: 2, temporary: 1 });
      expect(files(mediaDir)).toEqual([...kept, 'README.txt', `${newer}.jpg`, 'in-flight.upload'].sort());
    } finally {
      fs.rmSync(mediaDir, { recursive: true, force: true });
    }
  });
});
