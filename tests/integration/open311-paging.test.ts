import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { open311ListQuery } from '../../server/db/open311.repo.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, postReport, reportForm } from './factories.js';

const nextOf = (res: Response) => /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];

for (const engine of ENGINES) {
  describe(`Open311 GET requests pages by keyset [${engine}]`, () => {
    it('walks every page through the Link header, each report once, in a stable order, also within one microsecond', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const field = await createField(db);
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) codes.push((await (await postReport(app, reportForm({ field }))).json()).code);
      // Four reports share one created_at, down to the microsecond: only the id orders them.
      await db.updateTable('reports')
        .set({ created_at: sql<Date>`date_trunc('second', now()) - interval '1 minute' + interval '123456 microseconds'` })
        .where('code', 'in', codes.slice(0, 4)).execute();

      const all = await (await app.request(`/open311/v2/requests.json?service_code=${field}`)).json();
      expect(all.map((r: { service_request_id: string }) => r.service_request_id).sort()).toEqual([...codes].sort());

      for (const format of ['json', 'xml']) {
        const seen: string[] = [];
        let url: string | undefined = `/open311/v2/requests.${format}?service_code=${field}&page_size=3`;
        let pages = 0;
        while (url) {
          const res: Response = await app.request(url);
          expect(res.status, url).toBe(200);
          const text = await res.text();
          seen.push(...(format === 'json'
            ? JSON.parse(text).map((r: { service_request_id: string }) => r.service_request_id)
            : [...text.matchAll(/<service_request_id>([^<]+)<\/service_request_id>/g)].map((m) => m[1]!)));
          const next = nextOf(res);
          if (next) {
            expect(res.headers.get('x-next-page')).toBe(new URL(next).searchParams.get('page'));
            // The filters travel with the token.
            expect(new URL(next).searchParams.get('service_code')).toBe(field);
          }
          url = next ? new URL(next).pathname + new URL(next).search : undefined;
          pages++;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(all.map((r: { service_request_id: string }) => r.service_request_id));
      }
      // A page that ends exactly at the last report says nothing more exists.
      const exact = await app.request(`/open311/v2/requests.json?service_code=${field}&page_size=7`);
      expect(nextOf(exact)).toBeUndefined();
      expect((await exact.json())).toHaveLength(7);
      // "page=1" is the first page, as clients that always send it expect.
      expect(await (await app.request(`/open311/v2/requests.json?service_code=${field}&page=1`)).json()).toEqual(all);
    });

    it('refuses numbered deep pages, forged tokens and pages over 1,000, and never uses OFFSET', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db);
      const forged = Buffer.from("2025-01-01T00:00:00.000000Z|1' or 1=1").toString('base64url');
      for (const bad of ['page=2', 'page=99999', `page=${forged}`, 'page=%2F%2F', 'page_size=1001', 'page_size=0']) {
        const res = await app.request(`/open311/v2/requests.json?${bad}`);
        expect(res.status, bad).toBe(400);
        expect((await res.json())[0].description).toMatch(/page/);
      }
      // A deep page is one index range from the key on, however deep.
      const query = open311ListQuery(db, { limit: 1001, after: { createdAt: '2025-01-01T00:00:00.000000Z', id: '1' } }).compile().sql;
      expect(query).toContain('(r.created_at, r.id) < ($');
      expect(query).not.toMatch(/offset/i);
    });

    it('limits anonymous list reads per address, with Retry-After', async () => {
      const db = await testDb(engine);
      const { app } = testApp(db, { RATE_LIMITS: 'on', RATE_LIMIT_OPEN311_READ: '3/1m,3/1m', TRUST_PROXY: '1' });
      const ip = `203.0.113.${crypto.randomInt(1, 254)}`;
      const other = `198.51.100.${crypto.randomInt(1, 254)}`;
      const get = (from: string) => app.request('/open311/v2/requests.json?page_size=1', { headers: { 'X-Forwarded-For': from } });
      for (let i = 0; i < 3; i++) expect((await get(ip)).status).toBe(200);
      const limited = await get(ip);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited.json())[0].code).toBe(429);
      expect((await get(other)).status).toBe(200);
    });
  });
}
