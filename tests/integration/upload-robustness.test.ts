import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { listenHttp } from '../../server/http-server.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, fixtureFile, loginAs, reportForm, type StaffSession } from './factories.js';

/**
 * Finding 1 of issue #13: one bad upload (too many files, a body cut off
 * mid-file) crashed the process. Every case here goes over a raw socket to one
 * real Node HTTP server around the app; after each, the server must still
 * answer, no temporary upload may remain and no row may have been written.
 */
const BOUNDARY = '----civicUploadBoundary7MA4YWxkTrZu0gW';
const PHOTO = fixtureFile('gps-tagged.jpg');
// Padded so that each file spans many socket reads: a failure then lands while files are still being written.
const BIG_PHOTO = Buffer.concat([PHOTO, crypto.randomBytes(700 * 1024)]);

interface Part { name: string; value?: string; file?: { filename: string; type: string; data: Buffer } }

function multipartBody(parts: Part[], { boundary = BOUNDARY, closing = true } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (p.file) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.file.filename}"\r\nContent-Type: ${p.file.type}\r\n\r\n`));
      chunks.push(p.file.data, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  if (closing) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function requestBytes(urlPath: string, body: Buffer, headers: Record<string, string> = {}, contentType = `multipart/form-data; boundary=${BOUNDARY}`): Buffer {
  const head = [
    `POST ${urlPath} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Type: ${contentType}`, `Content-Length: ${body.length}`, 'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), body]);
}

interface RawResult { status?: number; body: string; closedBy: 'server' | 'client' }

/**
 * Writes `bytes` (all, or only the first `cutAt`, then the client goes away as
 * a phone losing signal does) and reads what the server answers.
 */
async function send(port: number, bytes: Buffer, opts: { cutAt?: number; reset?: boolean; dripMs?: number; dripChunk?: number } = {}): Promise<RawResult> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const received: Buffer[] = [];
  socket.on('data', (d) => received.push(d));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const toSend = opts.cutAt === undefined ? bytes : bytes.subarray(0, opts.cutAt);
  if (opts.dripMs) {
    const step = opts.dripChunk ?? 1;
    for (let i = 0; i < toSend.length && !socket.destroyed; i += step) {
      socket.write(toSend.subarray(i, i + step));
      await new Promise((r) => setTimeout(r, opts.dripMs));
    }
  } else {
    await new Promise<void>((resolve) => socket.write(toSend, () => resolve()));
  }
  let closedBy: RawResult['closedBy'] = 'server';
  if (opts.cutAt !== undefined) {
    closedBy = 'client';
    if (opts.reset) socket.resetAndDestroy();
    else socket.end();
  }
  const timer = setTimeout(() => socket.destroy(), 15_000);
  await closed;
  clearTimeout(timer);
  const text = Buffer.concat(received).toString('utf8');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  return { status: status ? Number(status) : undefined, body: text.slice(text.indexOf('\r\n\r\n') + 4), closedBy };
}

// Before the fix, a destroyed write stream threw ERR_STREAM_DESTROYED with no listener: the process would exit.
const uncaught: unknown[] = [];
process.on('uncaughtException', (error) => uncaught.push(error));

for (const engine of ENGINES) {
  describe(`upload robustness over a real socket [${engine}]`, () => {
    let db: Kysely<Database>;
    let server: Server;
    let port: number;
    let tmpDir: string;
    let field: string;
    let officer: StaffSession;
    let responseCode: string;
    let reportId: string;

    beforeAll(async () => {
      db = await testDb(engine);
      const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'civic-upload-'));
      const { app, config } = testApp(db, { MEDIA_DIR: mediaDir });
      tmpDir = path.join(config.mediaDir, 'tmp');
      ({ server, port } = await listenHttp(app.fetch, { port: 0, hostname: '127.0.0.1' }));
      field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [] });
      officer = await loginAs(app, await createStaff(db, 'officer', unitId));
      const res = await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) });
      expect(res.status).toBe(201);
      responseCode = (await res.json()).code;
      await db.updateTable('reports').set({ status: 'in_progress', unit_id: unitId }).where('code', '=', responseCode).execute();
      reportId = (await db.selectFrom('reports').select('id').where('code', '=', responseCode).executeTakeFirstOrThrow()).id;
    });
    afterAll(async () => {
      server?.closeAllConnections();
      await new Promise((r) => server?.close(r));
    });

    const reportParts = (photos: number, photo: Buffer = PHOTO): Part[] => [
      { name: 'field', value: field },
      { name: 'title', value: 'Ổ gà lớn trước số 12' },
      { name: 'description', value: 'Ổ gà sâu khoảng 20 cm, xe máy dễ ngã vào buổi tối.' },
      { name: 'lat', value: '12.6667' },
      { name: 'lon', value: '108.0383' },
      { name: 'opened_at', value: new Date(Date.now() - 60_000).toISOString() },
      ...Array.from({ length: photos }, (_, i) => ({ name: 'photos', file: { filename: `p${i}.jpg`, type: 'image/jpeg', data: photo } })),
    ];
    const responseParts = (photos: number, photo: Buffer = PHOTO): Part[] => [
      { name: 'text', value: 'Đơn vị đã vá ổ gà.' },
      ...Array.from({ length: photos }, (_, i) => ({ name: 'photos', file: { filename: `after${i}.jpg`, type: 'image/jpeg', data: photo } })),
    ];
    const staffHeaders = () => ({ Cookie: officer.cookie, 'X-CSRF-Token': officer.csrf });

    async function rows() {
      const reports = await db.selectFrom('reports').select(sql<number>`count(*)::int`.as('n')).where('field_code', '=', field).executeTakeFirstOrThrow();
      const events = await db.selectFrom('report_events').select(sql<number>`count(*)::int`.as('n')).where('report_id', '=', reportId).executeTakeFirstOrThrow();
      const media = await db.selectFrom('media').select(sql<number>`count(*)::int`.as('n')).where('report_id', '=', reportId).executeTakeFirstOrThrow();
      return { reports: reports.n, events: events.n, media: media.n };
    }

    /** After a case: the server answers, the temporary directory empties and nothing was written. */
    async function assertUnharmed(label: string, before: Awaited<ReturnType<typeof rows>>) {
      expect(uncaught, `${label}: uncaught exceptions`).toEqual([]);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status, `${label}: health`).toBe(200);
      await health.body?.cancel();
      // The server notices a vanished client a moment later; its cleanup is asynchronous.
      let left: string[] = [];
      for (let waited = 0; waited <= 5_000; waited += 50) {
        left = fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir) : [];
        if (!left.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(left, `${label}: temporary files left`).toEqual([]);
      expect(await rows(), `${label}: rows written`).toEqual(before);
    }

    it('refuses six photos (limit five) with a 400 and stays up', async () => {
      const before = await rows();
      const r = await send(port, requestBytes('/api/reports', multipartBody(reportParts(6))));
      expect(r.status).toBe(400);
      expect(JSON.parse(r.body).error.code).toBe('validation_failed');
      await assertUnharmed('six photos', before);
    });

    it('refuses an over-size photo with a 413 and stays up', async () => {
      const before = await rows();
      const big = Buffer.concat([PHOTO, crypto.randomBytes(10 * 1024 * 1024 + 1 - PHOTO.length + 10)]);
      const r = await send(port, requestBytes('/api/reports', multipartBody(reportParts(1, big))));
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body).error.code).toBe('payload_too_large');
      await assertUnharmed('over-size photo', before);
    });

    it('refuses a body declared larger than the total limit before reading it', async () => {
      const before = await rows();
      const head = `POST /api/reports HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${81 * 1024 * 1024}\r\nConnection: close\r\n\r\n`;
      const r = await send(port, Buffer.concat([Buffer.from(head), multipartBody(reportParts(1)).subarray(0, 2000)]));
      expect(r.status).toBe(413);
      await assertUnharmed('declared too large', before);
    });

    it('survives a report cut off at 24 byte offsets (headers, boundaries, fields, file data)', async () => {
      const body = multipartBody(reportParts(3, BIG_PHOTO));
      const bytes = requestBytes('/api/reports', body);
      const headerEnd = bytes.indexOf('\r\n\r\n') + 4;
      const firstFile = bytes.indexOf('filename=');
      const offsets = [
        10, Math.floor(headerEnd / 2), headerEnd - 1, headerEnd, headerEnd + 5, headerEnd + BOUNDARY.length,
        firstFile - 20, firstFile + 5, firstFile + 60,
        ...Array.from({ length: 15 }, (_, i) => firstFile + 100 + Math.floor(((bytes.length - firstFile - 102) * i) / 14)),
      ];
      expect(new Set(offsets).size).toBe(24);
      for (const [i, cutAt] of offsets.entries()) {
        const before = await rows();
        await send(port, bytes, { cutAt, reset: i % 2 === 1 });
        await assertUnharmed(`cut at ${cutAt} of ${bytes.length}`, before);
      }
    });

    it('survives six photos cut off in the sixth photo', async () => {
      const before = await rows();
      const bytes = requestBytes('/api/reports', multipartBody(reportParts(6, BIG_PHOTO)));
      await send(port, bytes, { cutAt: bytes.length - Math.floor(BIG_PHOTO.length / 2) });
      await assertUnharmed('six photos, cut', before);
    });

    it('survives a slow drip that then stops', async () => {
      const before = await rows();
      const bytes = requestBytes('/api/reports', multipartBody(reportParts(2)));
      const firstFile = bytes.indexOf('filename=');
      await send(port, bytes, { cutAt: firstFile + 3_000, dripMs: 2, dripChunk: 40 });
      await assertUnharmed('slow drip', before);
    });

    it('answers malformed multipart bodies with a 4xx', async () => {
      const cases: [string, Buffer][] = [
        ['no boundary parameter', requestBytes('/api/reports', multipartBody(reportParts(1)), {}, 'multipart/form-data; charset=utf-8')],
        ['another boundary than declared', requestBytes('/api/reports', multipartBody(reportParts(1), { boundary: 'somethingElse' }))],
        ['empty boundary', requestBytes('/api/reports', multipartBody(reportParts(1)), {}, 'multipart/form-data; boundary=')],
        ['garbage', requestBytes('/api/reports', crypto.randomBytes(5_000))],
        ['no final boundary', requestBytes('/api/reports', multipartBody(reportParts(1), { closing: false }))],
        ['part without headers', requestBytes('/api/reports', Buffer.from(`--${BOUNDARY}\r\n\r\nhello\r\n--${BOUNDARY}--\r\n`))],
        ['unnamed file part', requestBytes('/api/reports', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; filename="a.jpg"\r\n\r\n${PHOTO.toString('latin1')}\r\n--${BOUNDARY}--\r\n`))],
      ];
      for (const [label, bytes] of cases) {
        const before = await rows();
        const r = await send(port, bytes);
        expect(r.status, `${label}: ${r.body}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${label}: ${r.body}`).toBeLessThan(500);
        expect(JSON.parse(r.body).error.code, label).toBeTypeOf('string');
        await assertUnharmed(label, before);
      }
    });

    it('treats the staff response upload the same way', async () => {
      const url = `/api/staff/reports/${responseCode}/response`;
      let before = await rows();
      const six = await send(port, requestBytes(url, multipartBody(responseParts(6, BIG_PHOTO)), staffHeaders()));
      expect(six.status).toBe(400);
      await assertUnharmed('staff: six photos', before);

      const big = Buffer.concat([PHOTO, crypto.randomBytes(10 * 1024 * 1024 + 10)]);
      const oversize = await send(port, requestBytes(url, multipartBody(responseParts(1, big)), staffHeaders()));
      expect(oversize.status).toBe(413);
      await assertUnharmed('staff: over-size photo', before);

      const video = await send(port, requestBytes(url, multipartBody([...responseParts(1), { name: 'video', file: { filename: 'v.mp4', type: 'video/mp4', data: PHOTO } }]), staffHeaders()));
      expect(video.status).toBe(400);
      await assertUnharmed('staff: video field', before);

      const noEnd = await send(port, requestBytes(url, multipartBody(responseParts(1), { closing: false }), staffHeaders()));
      expect(noEnd.status).toBe(400);
      await assertUnharmed('staff: no final boundary', before);

      const bytes = requestBytes(url, multipartBody(responseParts(3, BIG_PHOTO)), staffHeaders());
      const headerEnd = bytes.indexOf('\r\n\r\n') + 4;
      for (const [i, cutAt] of [headerEnd - 3, headerEnd + 10, ...Array.from({ length: 8 }, (_, k) => headerEnd + 200 + Math.floor(((bytes.length - headerEnd - 202) * k) / 7))].entries()) {
        before = await rows();
        await send(port, bytes, { cutAt, reset: i % 2 === 0 });
        await assertUnharmed(`staff: cut at ${cutAt}`, before);
      }

      // The server still takes a good answer afterwards.
      const ok = await send(port, requestBytes(url, multipartBody(responseParts(1)), staffHeaders()));
      expect(ok.status, ok.body).toBe(201);
    });
  });
}
