import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../server/routes/compression.js';
import { ENGINES, testApp, testDb } from './context.js';

const WALL_TOKEN = 'wall-display-token-for-compression-01';

/** The body as the client would read it after undoing Content-Encoding. */
async function decoded(res: Response): Promise<string> {
  const raw = Buffer.from(await res.arrayBuffer());
  const encoding = res.headers.get('content-encoding');
  if (encoding === 'br') return zlib.brotliDecompressSync(raw).toString('utf8');
  if (encoding === 'gzip') return zlib.gunzipSync(raw).toString('utf8');
  expect(encoding).toBeNull();
  return raw.toString('utf8');
}

describe('chooseEncoding', () => {
  it('prefers brotli, honours q-values and refusals, and falls back to identity', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0')).toBeUndefined();
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBeUndefined();
    expect(chooseEncoding(undefined)).toBeUndefined();
  });
});

for (const engine of ENGINES) {
  describe(`compression [${engine}]`, () => {
    const cases = [
      { name: 'JSON API (GeoJSON boundaries)', path: '/api/areas?level=district', type: /application\/(geo\+)?json/ },
      { name: 'Open311 XML', path: '/open311/v2/discovery.xml', type: /text\/xml/ },
    ];

    for (const { name, path: url, type } of cases) {
      it(`${name}: br when asked, gzip when only gzip is asked, identity otherwise, always the same content`, async () => {
        const { app } = testApp(await testDb(engine));
        const plain = await app.request(url);
        expect(plain.status).toBe(200);
        expect(plain.headers.get('content-type')).toMatch(type);
        expect(plain.headers.get('content-encoding')).toBeNull();
        expect(plain.headers.get('vary')).toMatch(/accept-encoding/i);
        const original = await plain.text();

        const br = await app.request(url, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
        expect(br.headers.get('content-encoding')).toBe('br');
        expect(br.headers.get('content-length')).toBeNull();
        expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
        expect(await decoded(br)).toBe(original);

        const gzip = await app.request(url, { headers: { 'Accept-Encoding': 'gzip' } });
        expect(gzip.headers.get('content-encoding')).toBe('gzip');
        expect(await decoded(gzip)).toBe(original);

        const refused = await app.request(url, { headers: { 'Accept-Encoding': 'identity' } });
        expect(refused.headers.get('content-encoding')).toBeNull();
        expect(await refused.text()).toBe(original);
      });
    }

    it('sends a compressed body smaller than the plain one', async () => {
      const { app } = testApp(await testDb(engine));
      const plain = Buffer.from(await (await app.request('/api/areas?level=district')).arrayBuffer());
      const br = Buffer.from(await (await app.request('/api/areas?level=district', { headers: { 'Accept-Encoding': 'br' } })).arrayBuffer());
      expect(br.length).toBeLessThan(plain.length / 3);
    });

    it('keeps error answers readable in their JSON shape', async () => {
      const { app } = testApp(await testDb(engine));
      const res = await app.request('/api/nope', { headers: { 'Accept-Encoding': 'br' } });
      expect(res.status).toBe(404);
      expect(JSON.parse(await decoded(res)).error.code).toBe('not_found');
    });

    it('streams server-sent events plain and unbuffered, even to a client that accepts br', async () => {
      const { app } = testApp(await testDb(engine), { WALL_TOKEN });
      const abort = new AbortController();
      const res = await app.request('/api/events', { headers: { 'Accept-Encoding': 'br, gzip', 'X-Display-Token': WALL_TOKEN }, signal: abort.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      expect(res.headers.get('content-encoding')).toBeNull();
      const reader = res.body!.getReader();
      // The first event must arrive on its own, long before the stream ends (it never does) or a compressor's buffer fills.
      const first = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event within 5 s: the stream is buffered')), 5_000)),
      ]);
      expect(new TextDecoder().decode(first.value)).toContain('event: hello');
      await reader.cancel();
      abort.abort();
    });
  });
}

describe('static files of the dashboard', () => {
  // A miniature build: index.html, one hashed script with its .br and .gz as vite.config.ts writes them.
  const dir = path.resolve('.tmp', `compression-dist-${process.pid}`);
  const script = `export const words = ${JSON.stringify('phản ánh hiện trường '.repeat(200))};\n`;
  const html = `<!doctype html><html lang="vi"><head><title>Phản ánh</title><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div>${'<!-- filler -->'.repeat(80)}</body></html>`;

  beforeAll(() => {
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), html);
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js'), script);
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js.br'), zlib.brotliCompressSync(script));
    fs.writeFileSync(path.join(dir, 'assets', 'app-abc123.js.gz'), zlib.gzipSync(script));
    fs.mkdirSync(path.join(dir, '.vite'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vite', 'manifest.json'), JSON.stringify({ 'index.html': { file: 'assets/app-abc123.js' } }));
    fs.writeFileSync(path.join(dir, '.vite', 'chunks.json'), JSON.stringify({ 'assets/app-abc123.js': ['dashboard/src/main.ts'] }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const app = async () => testApp(await testDb('embedded'), { DASHBOARD_DIR: dir }).app;

  it('serves the pre-compressed file for br and gzip, with an immutable cache header', async () => {
    const a = await app();
    const br = await a.request('/assets/app-abc123.js', { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    expect(Number(br.headers.get('content-length'))).toBe(fs.statSync(path.join(dir, 'assets', 'app-abc123.js.br')).size);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await decoded(br)).toBe(script);

    const gzip = await a.request('/assets/app-abc123.js', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(await decoded(gzip)).toBe(script);

    const plain = await a.request('/assets/app-abc123.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);
  });

  it('answers a range of a script plain, byte for byte', async () => {
    const res = await (await app()).request('/assets/app-abc123.js', { headers: { 'Accept-Encoding': 'identity', Range: 'bytes=0-9' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe(script.slice(0, 10));
  });

  it('serves the app shell no-cache and compressed, 200 for a page and 404 for a path that names none', async () => {
    const a = await app();
    for (const [url, status] of [['/', 200], ['/r/ABCD2345', 200], ['/staff/login', 200], ['/no-such-page', 404], ['/r/ABCD2345/extra', 404]] as const) {
      const res = await a.request(url, { headers: { 'Accept-Encoding': 'br' } });
      expect(res.status, url).toBe(status);
      expect(res.headers.get('cache-control'), url).toBe('no-cache');
      expect(res.headers.get('content-encoding'), url).toBe('br');
      expect(await decoded(res)).toBe(html);
    }
  });

  // The service worker reads the build manifest to know what to keep offline; the list of source modules per
  // chunk is for the budget test only and tells a stranger nothing they need.
  it('serves the build manifest the service worker reads, and nothing else of the build\'s own records', async () => {
    const a = await app();
    const manifest = await a.request('/.vite/manifest.json');
    expect(manifest.status).toBe(200);
    expect(await manifest.json()).toEqual({ 'index.html': { file: 'assets/app-abc123.js' } });
    for (const url of ['/.vite/chunks.json', '/.vite/chunks.json.br', '/.vite/', '/.vite/nothing']) {
      const res = await a.request(url, { headers: { 'Accept-Encoding': 'br' } });
      expect(res.status, url).toBe(404);
      expect(await res.text(), url).not.toContain('main.ts');
    }
  });

  it('does not answer a missing hashed asset with the app shell cached for a year', async () => {
    const res = await (await app()).request('/assets/gone-0000.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).not.toMatch(/immutable/);
  });
});
