import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type PageProblems, type TestServer } from './harness.js';

// The demo seed's dispatcher (server/services/seed.ts).
const DISPATCHER = { username: 'dieuphoi', password: 'daklak-dieuphoi-2025' };
const WALL_TOKEN = 'wall-display-token-for-browser-tests-0001';
const VIEWPORT = { width: 1920, height: 1080 };
/** Buôn Ma Thuột (former city): the busiest former district of the demo seed. */
const DISTRICT = '643';

interface AreaFeature {
  properties: { code: string; parent: string | null; label: [number, number]; name_vi: string };
}

/** Digits of a KPI tile ("1.234" in Vietnamese) as a number. */
const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

/** Clicks the map where a [lng, lat] is drawn (the page exposes its map as window.__map). */
async function clickLngLat(page: Page, lngLat: [number, number]) {
  const box = (await page.locator('.maplibregl-canvas').boundingBox())!;
  const point = await page.evaluate(([lng, lat]) => window.__map!.project([lng, lat]), lngLat);
  await page.mouse.click(box.x + point.x, box.y + point.y);
}

/** Waits for the map to stop moving (fits are animated). */
async function settled(page: Page) {
  await page.waitForFunction(() => window.__map && !window.__map.isMoving(), undefined, { timeout: 30_000 });
  await page.waitForTimeout(400);
}

/** Clicks an area on the map until the console selects it (a click during a redraw can miss). */
async function drillInto(page: Page, lngLat: [number, number], code: string) {
  for (let attempt = 0; attempt < 4; attempt++) {
    await settled(page);
    await clickLngLat(page, lngLat);
    try {
      await page.waitForURL((u) => u.searchParams.get('area') === code, { timeout: 5_000 });
      return;
    } catch {
      await page.screenshot({ path: screenshotPath(`console-debug-click-${code}-${attempt}.png`) });
    }
  }
  throw new Error(`clicking the map never selected area ${code}; url ${page.url()}`);
}

async function kpiTotal(page: Page) {
  return digits(await page.getByTestId('kpi-total').textContent());
}

describe('operations console and wall', () => {
  let server: TestServer;
  let browser: Browser;
  let wards: AreaFeature[];
  let districts: AreaFeature[];

  beforeAll(async () => {
    server = await startServer({ seedReports: 2000, env: { WALL_TOKEN } });
    browser = await launchBrowser();
    wards = ((await (await fetch(`${server.url}/api/areas?level=ward&zoom=8`)).json()) as { features: AreaFeature[] }).features;
    districts = ((await (await fetch(`${server.url}/api/areas?level=district&zoom=8`)).json()) as { features: AreaFeature[] }).features;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a visitor without a session to sign in', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${server.url}/console`);
    await page.waitForURL((u) => u.pathname === '/staff/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/console');
    await page.close();
  });

  it('moves its window at midnight, Vietnam time, without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const vnDate = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);
    // As the header writes a day: dd/mm/yyyy, as Vietnamese offices do.
    const shown = (iso: string) => iso.split('-').reverse().join('/');
    const today = vnDate(Date.now());
    const yesterday = vnDate(Date.now() - 86_400_000);
    const tomorrow = vnDate(Date.now() + 86_400_000);
    // The page's clock starts 20 s before Vietnam's midnight; the server's is the real one.
    await context.clock.install({ time: Date.parse(`${today}T00:00:00+07:00`) - 20_000 });
    const page = await context.newPage();
    await page.goto(`${server.url}/staff/login`);
    await page.locator('input[name="username"]').fill(DISPATCHER.username);
    await page.locator('input[name="password"]').fill(DISPATCHER.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((u) => u.pathname === '/staff');
    await page.goto(`${server.url}/console`);
    await expect.poll(() => page.getByTestId('console-window').textContent(), { timeout: 60_000 }).toMatch(new RegExp(`→ ${shown(yesterday)}$`));

    const summary = page.waitForResponse((r) => r.url().includes('/api/stats/summary') && r.url().includes(`to=${tomorrow}`));
    await page.clock.fastForward(30_000);
    await expect.poll(() => page.getByTestId('console-window').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`→ ${shown(today)}$`));
    expect((await summary).status()).toBe(200);
    await context.close();
  });

  it('drills down, filters, toggles layers, rotates the wall and updates live', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const problems: PageProblems = watchPage(page, server.url);

    await page.goto(`${server.url}/staff/login`);
    await page.locator('input[name="username"]').fill(DISPATCHER.username);
    await page.locator('input[name="password"]').fill(DISPATCHER.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((u) => u.pathname === '/staff');

    // 1. The province.
    await page.goto(`${server.url}/console`);
    await waitForMap(page);
    await expect.poll(() => kpiTotal(page), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] li').count()).toBe(1);
    await settled(page);
    await page.screenshot({ path: screenshotPath('console-province.png') });

    // 2. Drill into a former district, then one of its wards, by clicking the map
    //    (points off first: a click on a dot selects that report, not the area).
    await page.getByTestId('layer-points').uncheck();
    await page.waitForURL((u) => u.searchParams.get('layers') === 'areas');
    await settled(page);
    const district = districts.find((d) => d.properties.code === DISTRICT)!;
    await drillInto(page, district.properties.label, DISTRICT);
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] li').count()).toBe(2);
    await settled(page);
    const ward = wards.find((w) => w.properties.parent === DISTRICT && w.properties.name_vi.includes('Buôn Ma Thuột')) ?? wards.find((w) => w.properties.parent === DISTRICT)!;
    await drillInto(page, ward.properties.label, ward.properties.code);
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] li').count()).toBe(3);
    await expect.poll(() => page.getByTestId('breadcrumb').locator('[aria-current="location"]').textContent()).toBe(ward.properties.name_vi);
    await settled(page);

    // The back button returns to the district, forward to the ward again.
    await page.goBack();
    await page.waitForURL((u) => u.searchParams.get('area') === DISTRICT);
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] li').count()).toBe(2);
    await page.goForward();
    await page.waitForURL((u) => u.searchParams.get('area') === ward.properties.code);
    await settled(page);

    // 3. A field filter: the KPI total equals the API's for the same filters.
    const summaryUrl = page.waitForResponse((r) => r.url().includes('/api/stats/summary') && r.url().includes('field=road') && r.url().includes(`area=${ward.properties.code}`));
    await page.locator('[data-field="road"]').click();
    await page.waitForURL((u) => u.searchParams.get('field') === 'road');
    const apiUrl = (await summaryUrl).url();
    const apiTotal = await page.evaluate(async (u) => ((await (await fetch(u, { credentials: 'same-origin' })).json()) as { total: number }).total, apiUrl);
    await expect.poll(() => kpiTotal(page), { timeout: 30_000 }).toBe(apiTotal);

    // 4. Points back, hexagons on, the choropleth off and on again.
    await page.getByTestId('layer-points').check();
    const hexes = page.waitForResponse((r) => r.url().includes('/api/stats/hexes'));
    await page.getByTestId('layer-hexes').check();
    expect((await hexes).status()).toBe(200);
    await expect.poll(() => page.getByTestId('legend-hexes').count()).toBe(1);
    await page.getByTestId('layer-areas').uncheck();
    await expect.poll(() => page.getByTestId('legend-areas').count()).toBe(0);
    await page.getByTestId('layer-areas').check();
    await expect.poll(() => page.getByTestId('legend-areas').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('layers')).toBe('points,hexes,areas');
    await settled(page);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: screenshotPath('console-ward-hexes.png') });

    // The whole view is in the URL: a fresh tab with it shows the same area, filter and layers.
    const shared = await context.newPage();
    await shared.goto(page.url());
    await waitForMap(shared);
    await expect.poll(() => shared.locator('[data-testid="breadcrumb"] li').count()).toBe(3);
    await expect.poll(() => shared.locator('[data-field="road"]').getAttribute('aria-pressed'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => shared.getByTestId('legend-hexes').count()).toBe(1);
    await shared.close();

    // 5. The wall, with a display token and no session, rotates through the districts.
    const wallContext = await browser.newContext({ viewport: VIEWPORT });
    const wall = await wallContext.newPage();
    const wallProblems = watchPage(wall, server.url);
    await wall.goto(`${server.url}/wall?display_token=${WALL_TOKEN}&interval=3`);
    await waitForMap(wall);
    const first = await wall.getByTestId('wall').getAttribute('data-code');
    expect(first).toMatch(/^\d{3}$/);
    await expect.poll(async () => wall.locator('[data-kpi="total"]').count(), { timeout: 30_000 }).toBe(1);
    await wall.waitForTimeout(1800);
    await wall.screenshot({ path: screenshotPath('wall-1.png') });
    await expect.poll(() => wall.getByTestId('wall').getAttribute('data-code'), { timeout: 30_000 }).not.toBe(first);
    await wall.waitForTimeout(1800);
    await wall.screenshot({ path: screenshotPath('wall-2.png') });
    expect(wallProblems.errors).toEqual([]);
    expect(wallProblems.failedRequests).toEqual([]);
    await wallContext.close();

    // 6. A new report in the ward on screen: the console updates without a reload.
    await expect.poll(() => page.getByTestId('console').getAttribute('data-live'), { timeout: 30_000 }).toBe('live');
    const before = await kpiTotal(page);
    const form = new FormData();
    form.set('field', 'road');
    form.set('title', 'Ổ gà mới trên đường kiểm thử');
    form.set('description', 'Ổ gà sâu giữa đường, xe máy phải tránh. Báo cáo từ kiểm thử trình duyệt.');
    form.set('lat', String(ward.properties.label[1]));
    form.set('lon', String(ward.properties.label[0]));
    const res = await fetch(`${server.url}/api/reports`, { method: 'POST', body: form });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { code: string };
    await expect.poll(async () => ((await page.getByTestId('last-event').count()) ? await page.getByTestId('last-event').textContent() : ''), { timeout: 30_000 }).toContain(created.code);
    await expect.poll(() => kpiTotal(page), { timeout: 30_000 }).toBe(before + 1);
    await page.screenshot({ path: screenshotPath('console-live.png') });

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await context.close();
  }, 600_000);
});
