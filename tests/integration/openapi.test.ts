import { describe, expect, it } from 'vitest';
import { createApi } from '../../server/app.js';
import { ENGINES, testApp, testDb } from './context.js';

for (const engine of ENGINES) {
  describe(`OpenAPI [${engine}]`, () => {
    it('documents every /api route, with parameters taken from the zod schemas', async () => {
      const db = await testDb(engine);
      const { app, config, storage } = testApp(db);
      const res = await app.request('/api/openapi.json');
      expect(res.status).toBe(200);
      const doc = await res.json();
      expect(doc.openapi).toBe('3.0.3');

      const api = createApi({ db, config, storage, logger: (await import('../../server/log.js')).createLogger('silent') });
      const expected = new Set(
        api.routes.filter((r) => r.method !== 'ALL' && !r.path.endsWith('*'))
          .map((r) => `${r.method.toLowerCase()} /api${r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')}`.replace(/\/$/, '')),
      );
      const documented = new Set(Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`.replace(/\/$/, ''))));
      expect([...expected].filter((e) => !documented.has(e))).toEqual([]);
      expect(documented.has('get /api/export.csv')).toBe(true);

      const list = doc.paths['/api/reports/'] ?? doc.paths['/api/reports'];
      const limit = list.get.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } });
      expect(doc.paths['/api/reports/{code}'].get.parameters[0]).toMatchObject({ name: 'code', in: 'path', required: true });
      const body = list.post.requestBody.content['multipart/form-data'].schema;
      expect(body.properties.title).toMatchObject({ type: 'string', minLength: 5, maxLength: 150 });
      expect(body.properties.photos.items.format).toBe('binary');
      const exportParams = doc.paths['/api/export.geojson'].get.parameters.map((p: { name: string }) => p.name);
      expect(exportParams).toEqual(['area', 'field', 'status', 'unit', 'from', 'to']);
    });
  });
}
