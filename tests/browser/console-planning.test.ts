import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, REPO_ROOT, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

// The demo seed's dispatcher (server/services/seed.ts).
const DISPATCHER = { username: 'dieuphoi', password: 'daklak-dieuphoi-2025' };
const VIEWPORT = { width: 1920, height: 1080 };
/** Ngã Sáu, the centre of the demo plan the server seeds on first start (server/services/planning-demo.ts). */
const CENTRE = { lat: 12.6667, lon: 108.0383 };
const SHOTS = path.join(REPO_ROOT, '.tmp', 'screenshots');

interface Lookup {
  zones: { zone_id: number; land_use: { code: string }; plan: { level: string } }[];
}

async function shot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), clip });
}

async function settled(page: Page) {
  await page.waitForFunction(() => window.__map && !window.__map.isMoving(), undefined, { timeout: 30_000 });
  // One idle after a forced repaint: every tile asked for is in and drawn.
  await page.waitForFunction(
    () =>
      new Promise<boolean>((resolve) => {
        window.__map!.once('idle', () => resolve(true));
        window.__map!.triggerRepaint();
      }),
    undefined,
    { timeout: 30_000 },
  );
}

/** Where a [lon, lat] is drawn, in page pixels. */
async function pixelOf(page: Page, lon: number, lat: number) {
  const box = (await page.locator('.maplibregl-canvas').boundingBox())!;
  const p = await page.evaluate(([lng, lt]) => window.__map!.project([lng, lt]), [lon, lat] as const);
  return { x: box.x + p.x, y: box.y + p.y };
}

/** The report dots of a /api/stats/points answer (u32 n, n × f32 lon, n × f32 lat, …), as the console draws them. */
async function decodePoints(response: Response): Promise<{ lon: number; lat: number }[]> {
  const body = await response.body();
  const buf = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  const n = new DataView(buf).getUint32(0, true);
  const lon = new Float32Array(buf, 4, n);
  const lat = new Float32Array(buf, 4 + n * 4, n);
  return Array.from(lon, (x, i) => ({ lon: x, lat: lat[i] }));
}

const rgbOf = (css: string) => css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);

/** The colour the map draws at a [lon, lat]: the commonest in a 5 × 5 pixel block, so an edge or a glyph does not decide it. */
async function mapColourAt(page: Page, lon: number, lat: number): Promise<number[]> {
  return page.evaluate(
    ([lng, lt]) => {
      const map = window.__map!;
      const source = map.getCanvas();
      const p = map.project([lng, lt]);
      const scale = source.width / source.clientWidth;
      const canvas = new OffscreenCanvas(5, 5);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(source, Math.round(p.x * scale) - 2, Math.round(p.y * scale) - 2, 5, 5, 0, 0, 5, 5);
      const { data } = ctx.getImageData(0, 0, 5, 5);
      const counts = new Map<string, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(',').map(Number);
    },
    [lon, lat] as const,
  );
}

const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
  Math.hypot((a.lat - b.lat) * 111_320, (a.lon - b.lon) * 111_320 * Math.cos((a.lat * Math.PI) / 180));

const isPointsAnswer = (r: Response) => r.url().includes('/api/stats/points') && r.status() === 200 && !(r.headers()['content-type'] ?? '').includes('json');

describe('console planning layer', () => {
  let server: TestServer;
  let browser: Browser;

  const lookup = async (lat: number, lon: number) =>
    (await (await fetch(`${server.url}/api/planning/lookup?lat=${lat}&lon=${lon}`)).json()) as Lookup;

  /**
   * A spot well inside one detailed-plan parcel (the same zone a few metres
   * either way, so the pixel the test clicks cannot land on a neighbour) and
   * far from every report dot (a dot there would take the click).
   */
  async function findZoneSpot(avoid: { lat: number; lon: number }[]) {
    const offsets = [];
    for (let i = -5; i <= 5; i++) for (let j = -5; j <= 5; j++) offsets.push([i, j]);
    offsets.sort((a, b) => Math.hypot(a[0], a[1]) - Math.hypot(b[0], b[1]));
    for (const [i, j] of offsets) {
      const spot = { lat: CENTRE.lat + i * 0.00037, lon: CENTRE.lon + j * 0.00041 };
      if (avoid.some((p) => metres(p, spot) < 80)) continue;
      const here = await lookup(spot.lat, spot.lon);
      const top = here.zones[0];
      if (!top || top.plan.level !== 'detailed') continue;
      const around = await Promise.all([[1, 0], [-1, 0], [0, 1], [0, -1]].map(([a, b]) => lookup(spot.lat + a * 0.00008, spot.lon + b * 0.00008)));
      if (around.every((r) => r.zones[0]?.zone_id === top.zone_id)) return { ...spot, lookup: here };
    }
    throw new Error('no demo zone spot clear of report dots near the centre');
  }

  beforeAll(async () => {
    server = await startServer({ seedReports: 300 });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('toggles the planning layer from the panel, shows its legend, and opens a zone card on click', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);

    await page.goto(`${server.url}/staff/login`);
    await page.locator('input[name="username"]').fill(DISPATCHER.username);
    await page.locator('input[name="password"]').fill(DISPATCHER.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((u) => u.pathname === '/staff');

    await page.goto(`${server.url}/console`);
    await waitForMap(page);
    await settled(page);

    // 1. The layer is switched on from the panel, and the URL carries it.
    const toggle = page.getByTestId('layer-planning');
    expect(await toggle.isEnabled()).toBe(true);
    await toggle.check();
    await page.waitForURL((u) => u.searchParams.get('layers') === 'points,areas,planning');
    const legend = page.getByTestId('legend-planning');
    await legend.waitFor();
    // At province zoom there is nothing to draw yet: the legend says so and offers the way in.
    expect(await legend.innerText()).toMatch(/Phóng to/);
    await shot(page, 'console-planning-province.png');

    // 2. "Go to the planned areas" frames the plans; the legend lists the land uses drawn, with the demo marking.
    expect(await page.getByTestId('planning-jump').isVisible()).toBe(true);
    await page.getByTestId('planning-jump').click();
    await settled(page);
    expect(await page.evaluate(() => window.__map!.getZoom())).toBeGreaterThanOrEqual(12);
    await expect.poll(() => legend.locator('li[data-code]').count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await page.getByTestId('planning-demo-flag').waitFor();
    expect(await page.getByTestId('planning-demo-badge').isVisible()).toBe(true);
    await shot(page, 'console-planning-overview.png');

    // 3. Street zoom at the centre: read the report dots the console draws there.
    const firstPoints = page.waitForResponse(isPointsAnswer, { timeout: 120_000 });
    await page.evaluate(([lon, lat]) => window.__map!.jumpTo({ center: [lon, lat], zoom: 16 }), [CENTRE.lon, CENTRE.lat] as const);
    const dots = await decodePoints(await firstPoints);
    await settled(page);

    // A new report inside the plan, on a spot with no other dot, so a click on it is unambiguous.
    const reportAt = [{ lat: CENTRE.lat - 0.0012, lon: CENTRE.lon - 0.0016 }, { lat: CENTRE.lat + 0.0013, lon: CENTRE.lon - 0.0017 }, { lat: CENTRE.lat - 0.0014, lon: CENTRE.lon + 0.0016 }]
      .find((p) => dots.every((d) => metres(d, p) > 40))!;
    const spot = await findZoneSpot([...dots, reportAt]);
    const expected = spot.lookup.zones[0].land_use.code;

    await expect.poll(() => page.getByTestId('console').getAttribute('data-live'), { timeout: 30_000 }).toBe('live');
    const redrawn = page.waitForResponse(async (r) => isPointsAnswer(r) && (await decodePoints(r)).length > dots.length, { timeout: 60_000 });
    const form = new FormData();
    form.set('field', 'road');
    form.set('title', 'Vỉa hè bị lấn chiếm trong khu quy hoạch');
    form.set('description', 'Quán lấn chiếm toàn bộ vỉa hè, người đi bộ phải xuống lòng đường. Báo cáo từ kiểm thử trình duyệt.');
    form.set('lat', String(reportAt.lat));
    form.set('lon', String(reportAt.lon));
    const created = await fetch(`${server.url}/api/reports`, { method: 'POST', body: form });
    expect(created.status, await created.clone().text()).toBe(201);
    const { code: reportCode } = (await created.json()) as { code: string };
    await redrawn;
    await settled(page);
    await expect.poll(() => legend.locator(`li[data-code="${expected}"]`).count(), { timeout: 30_000 }).toBe(1);

    // The legend's colour for the zone's land use is the colour the map paints there.
    const drawn = await mapColourAt(page, spot.lon, spot.lat);
    const swatch = rgbOf(await legend.locator(`li[data-code="${expected}"] .tile`).evaluate((el) => getComputedStyle(el).backgroundColor));
    for (let i = 0; i < 3; i++) expect(Math.abs(drawn[i] - swatch[i]), `map ${drawn} vs legend ${swatch} for ${expected}`).toBeLessThanOrEqual(2);

    // 4. A click on a report dot still selects the report, even over a zone.
    const dot = await pixelOf(page, reportAt.lon, reportAt.lat);
    await page.mouse.click(dot.x, dot.y);
    await page.waitForURL((u) => u.searchParams.get('report') === reportCode);
    await page.getByTestId('selected-report').waitFor();
    expect(await page.getByTestId('selected-zone').count()).toBe(0);

    // 5. A click on a zone (no dot there) shows its card in the same slot, with the code the lookup API gives.
    const at = await pixelOf(page, spot.lon, spot.lat);
    await page.mouse.click(at.x, at.y);
    await page.waitForURL((u) => u.searchParams.has('zone') && !u.searchParams.has('report'));
    const [zLat, zLon] = new URL(page.url()).searchParams.get('zone')!.split(',').map(Number);
    expect(metres({ lat: zLat, lon: zLon }, spot)).toBeLessThan(5);
    const card = page.getByTestId('selected-zone');
    await expect.poll(() => card.locator('article.zone').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    expect(await card.locator('article.zone').first().getAttribute('data-code')).toBe(expected);
    expect(rgbOf(await card.locator('article.zone .swatch').first().evaluate((el) => getComputedStyle(el).backgroundColor))).toEqual(swatch);
    expect(await card.locator('article.zone .code').allInnerTexts()).toEqual((await lookup(zLat, zLon)).zones.map((z) => z.land_use.code));
    expect(await card.innerText()).toMatch(/DỮ LIỆU MẪU/);
    expect(await page.getByTestId('selected-report').count()).toBe(0);
    await shot(page, 'console-planning-card.png');
    // Full-size crops of the card and the map around the spot, to judge legibility at wall resolution.
    const cardBox = (await card.boundingBox())!;
    await shot(page, 'console-planning-card-detail.png', { x: cardBox.x - 20, y: cardBox.y - 20, width: cardBox.width + 440, height: cardBox.height + 40 });
    await legend.scrollIntoViewIfNeeded();
    const legendBox = (await legend.boundingBox())!;
    await shot(page, 'console-planning-legend.png', { x: 0, y: Math.max(0, legendBox.y - 60), width: 420, height: Math.min(1080 - Math.max(0, legendBox.y - 60), legendBox.height + 80) });

    // The card is part of the view: back returns to the report, forward to the zone.
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('report') === reportCode && !u.searchParams.has('zone'));
    await page.getByTestId('selected-report').waitFor();
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.has('zone'));
    await card.waitFor();

    // English is complete on the card and the legend.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => card.innerText()).toMatch(/Planning at the chosen spot/i);
    expect(await legend.innerText()).toMatch(/Land uses in view/);
    await shot(page, 'console-planning-card-en.png');

    // 6. Off again: the legend and the demo marking go, the URL follows.
    await toggle.uncheck();
    await page.waitForURL((u) => u.searchParams.get('layers') === 'points,areas');
    expect(await legend.count()).toBe(0);
    await expect.poll(() => page.getByTestId('planning-demo-flag').count()).toBe(0);

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await context.close();
  }, 480_000);
});
