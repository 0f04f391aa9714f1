import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_VIEW_SCRIPT } from '../../server/domain/first-view.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField } from './factories.js';

/** The JSON the server wrote after the field links, parsed. */
function inlineFields(page: string): unknown {
  const json = /<script type="application\/json" id="first-view-fields">(.*?)<\/script>/s.exec(page)?.[1];
  return json === undefined ? undefined : JSON.parse(json);
}

for (const engine of ENGINES) {
  describe(`the report form's first step in the app shell [${engine}]`, () => {
    // A miniature build: the slot of dashboard/index.html where the server writes the field list.
    const dir = path.resolve('.tmp', `first-view-dist-${engine}-${process.pid}`);
    const html = '<!doctype html><html lang="vi"><head><title>Phản ánh</title></head><body><div id="first-view"><div class="fv-grid"><!--first-view-fields--></div></div><div id="app"></div></body></html>';

    beforeAll(() => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'index.html'), html);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('writes one link per active field into "/", names escaped, with the list as /api/fields gives it', async () => {
      const db = await testDb(engine);
      const code = await createField(db);
      // An administrator may name a field anything; nothing of it may become markup.
      await db.updateTable('fields').set({ name_vi: 'Đèn </script><b>"tắt"</b> & hỏng' }).where('code', '=', code).execute();
      const { app } = testApp(db, { DASHBOARD_DIR: dir });
      try {
        const res = await app.request('/');
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-cache');
        const page = await res.text();
        const fields = (await (await app.request('/api/fields')).json()) as { code: string; color: string; icon: string }[];
        expect(fields.map((f) => f.code)).toContain(code);

        const links = [...page.matchAll(/<a class="c-field-card" href="\/\?field=([^"]+)" style="--c:([^"]+)"/g)].map((m) => [m[1], m[2]]);
        expect(links).toEqual(fields.map((f) => [encodeURIComponent(f.code), f.color]));
        expect(page).toContain(`<use href="#fv-icon-road" />`);
        expect(page).toContain('Đèn &lt;/script&gt;&lt;b&gt;&quot;tắt&quot;&lt;/b&gt; &amp; hỏng');
        expect(page).not.toContain('<b>');
        expect(inlineFields(page)).toEqual(fields);
      } finally {
        await db.updateTable('fields').set({ active: false }).where('code', '=', code).execute();
      }
    });

    it('allows the one inline script, which decides whether the step shows, by its hash and no other', async () => {
      const res = await testApp(await testDb(engine), { DASHBOARD_DIR: dir }).app.request('/');
      const scriptSrc = /script-src ([^;]*)/.exec(res.headers.get('content-security-policy')!)![1];
      expect(scriptSrc).toBe(`'self' 'sha256-${createHash('sha256').update(FIRST_VIEW_SCRIPT).digest('base64')}'`);
    });

    it('leaves every other page as built: the app hides the step there and loads what it needs', async () => {
      const { app } = testApp(await testDb(engine), { DASHBOARD_DIR: dir });
      for (const [url, status] of [['/map', 200], ['/staff', 200], ['/no-such-page', 404]] as const) {
        const res = await app.request(url);
        expect(res.status, url).toBe(status);
        expect(await res.text(), url).toBe(html);
      }
    });
  });
}
