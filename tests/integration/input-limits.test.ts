import crypto from 'node:crypto';
import http from 'node:http';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { createDb } from '../../server/db/create-db.js';
import { engineOf } from '../../server/db/engine.js';
import { handleError } from '../../server/errors.js';
import { listenHttp } from '../../server/http-server.js';
import { createLogger } from '../../server/log.js';
import { LocalDiskStorage } from '../../server/services/media/storage.js';
import { ENGINES, testApp, testConfig, testDb } from './context.js';
import { BMT, createField, createStaff, loginAs, postReport, reportForm } from './factories.js';

type Json = Record<string, any>;

/** A JSON-looking body of `total` bytes in 64 KiB chunks, counting how much of it the server pulled. */
function dripBody(total: number) {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
  let sent = 0;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = first ? new TextEncoder().encode('{"name":"') : chunk;
      first = false;
      sent += piece.length;
      controller.enqueue(piece);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => sent };
}

for (const engine of ENGINES) {
  describe(`input limits [${engine}]`, () => {
    it('refuses a JSON body over 1 MB with 413 while streaming, without reading the rest', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const body = dripBody(64 * 1024 * 1024);
      const heapBefore = process.memoryUsage().heapUsed;
      const res = await app.request('/api/reports/ABCDEFGH/follow', {
        method: 'POST', body: body.stream, headers: { 'content-type': 'application/json' }, duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      const json = (await res.json()) as Json;
      expect(json.error.code).toBe('payload_too_large');
      expect(json.error.message).toMatch(/1 MB/);
      // Cut off after about the limit, not after 64 MB.
      expect(body.pulled()).toBeLessThan(2 * 1024 * 1024);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
    });

    it('over a real socket: refuses a 256 MB chunked JSON body after about 1 MB and closes the connection', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const { server, port } = await listenHttp(app.fetch, { port: 0, hostname: '127.0.0.1' });
      try {
        const MB = 1024 * 1024;
        const rssBefore = process.memoryUsage().rss;
        let written = 0;
        const status = await new Promise<number>((resolve) => {
          const req = http.request({
            host: '127.0.0.1', port, method: 'POST', path: '/api/reports/ABCDEFGH/follow',
            headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
          });
          const chunk = Buffer.alloc(64 * 1024, 'x');
          let answered = false;
          req.on('response', (res) => {
            answered = true;
            res.resume();
            resolve(res.statusCode!);
          });
          // The server closes the socket on us mid-body: that is the point.
          req.on('error', () => {});
          const pump = () => {
            while (!answered && written < 256 * MB) {
              written += chunk.length;
              if (!req.write(chunk)) return void req.once('drain', pump);
            }
            req.end();
          };
          req.write('{"name":"');
          pump();
        });
        expect(status).toBe(413);
        // Cut off after about the limit plus what the sockets buffer, not after 256 MB.
        expect(written).toBeLessThan(32 * MB);
        expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * MB);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });

    it('refuses a declared Content-Length over the limit before reading anything', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const body = dripBody(3 * 1024 * 1024);
      const res = await app.request('/api/staff/reports/ABCDEFGH/actions', {
        method: 'POST', body: body.stream, headers: { 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024) }, duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(413);
      expect(((await res.json()) as Json).error.code).toBe('payload_too_large');
      expect(body.pulled()).toBe(0);
    });

    it('still accepts report uploads larger than 1 MB (they keep their own streaming caps)', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const form = reportForm({ field, description: `Ổ gà rất lớn giữa đường. ${'x'.repeat(10)}` });
      form.append('photos', new Blob([new Uint8Array(1_500_000)], { type: 'image/jpeg' }), 'big.jpg');
      const res = await postReport(app, form);
      // The photo is not a real JPEG, so the upload is refused by its content, not by the size limit.
      expect(res.status).not.toBe(413);
    });

    it('answers 414 for a URL over 8 KB', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const res = await app.request(`/api/reports?field=${'a'.repeat(9000)}`);
      expect(res.status).toBe(414);
      expect(((await res.json()) as Json).error.code).toBe('uri_too_long');
    });

    it('pages the public list by an opaque keyset cursor, at most 1000 a page', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      for (let i = 0; i < 5; i++) expect((await postReport(app, reportForm({ field, title: `Ổ gà số ${i} trên đường`, lat: BMT.lat + i * 0.0001 }))).status).toBe(201);
      expect((await app.request(`/api/reports?field=${field}&limit=1001`)).status).toBe(400);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await app.request(`/api/reports?field=${field}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        const page = (await res.json()) as Json;
        seen.push(...page.features.map((f: Json) => f.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
      expect((await app.request(`/api/reports?cursor=${Buffer.from('2020-01-01|1 or 1=1').toString('base64url')}`)).status).toBe(400);
    });

    it('rate-limits anonymous heavy reads per address, generously', async () => {
      const db = await testDb(engine);
      const config = testConfig({ RATE_LIMITS: 'on', RATE_LIMIT_PUBLIC_READ: '3/1m,3/1m' });
      const app = createApp({ db, config, logger: createLogger('silent'), storage: new LocalDiskStorage(config.mediaDir) });
      const own = { incoming: { socket: { remoteAddress: `203.0.113.${crypto.randomInt(1, 255)}` } } };
      const urls = ['/api/reports?bbox=108,12.6,108.1,12.7', '/api/reports/count?bbox=108,12.6,108.1,12.7', `/api/reports/nearby?lat=${BMT.lat}&lon=${BMT.lon}&field=roads`];
      for (const url of urls) expect((await app.request(url, {}, own)).status).not.toBe(429);
      const refused = await app.request(urls[0]!, {}, own);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('Retry-After')).toMatch(/^\d+$/);
      expect(((await refused.json()) as Json).error.code).toBe('rate_limited');
      // Another address is counted apart.
      expect((await app.request(urls[0]!, {}, { incoming: { socket: { remoteAddress: '203.0.113.254' } } })).status).toBe(200);
    });

    it('rate-limits the figures for a wall display (display token), not for staff sessions', async () => {
      const db = await testDb(engine);
      const wallToken = crypto.randomBytes(24).toString('hex');
      const config = testConfig({ RATE_LIMITS: 'on', RATE_LIMIT_PUBLIC_READ: '2/1m,2/1m', WALL_TOKEN: wallToken });
      const app = createApp({ db, config, logger: createLogger('silent'), storage: new LocalDiskStorage(config.mediaDir) });
      const wall = { incoming: { socket: { remoteAddress: `203.0.113.${crypto.randomInt(1, 250)}` } } };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await app.request('/api/stats/summary', { headers: { 'X-Display-Token': wallToken } }, wall)).status);
      expect(statuses).toEqual([200, 200, 429]);
      // A staff session from the same address is not counted.
      const leader = await loginAs({ request: (path: string, init?: RequestInit) => app.request(path, init, wall) }, await createStaff(db, 'leader'));
      for (let i = 0; i < 3; i++) expect((await leader.request('/api/stats/summary')).status).toBe(200);
    });
  });
}

describe.runIf(process.env.TEST_DATABASE_URL)('statement timeout [postgres]', () => {
  it('cancels a statement that runs past DB_STATEMENT_TIMEOUT_MS and answers 503 in the error shape', async () => {
    const db = await createDb({ databaseUrl: process.env.TEST_DATABASE_URL, poolSize: 2, statementTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(sql`select pg_sleep(5)`.execute(db)).rejects.toMatchObject({ code: '57014' });
      expect(Date.now() - started).toBeLessThan(3000);
      // The connection goes back to the pool usable.
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows[0]!.one).toBe(1);
      // Scripts (migrations, imports) run without the limit.
      await engineOf(db).execScript('select pg_sleep(0.5);');

      const app = new Hono();
      app.onError(handleError(createLogger('silent')));
      app.get('/slow', async (c) => c.json((await sql`select pg_sleep(5)`.execute(db)).rows));
      const res = await app.request('/slow');
      expect(res.status).toBe(503);
      expect(res.headers.get('Retry-After')).toBe('5');
      const body = (await res.json()) as Json;
      expect(body.error.code).toBe('query_timeout');
      expect(JSON.stringify(body)).not.toMatch(/pg_sleep|stack|at /);
    } finally {
      await engineOf(db).close();
    }
  });
});
