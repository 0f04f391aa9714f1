import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageStats, launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;
/** Inside a demo block near the centre of the demo plan. */
const SPOT = { lat: 12.6671, lon: 108.0387 };

async function pixelOf(page: Page, lon: number, lat: number) {
  return page.evaluate(
    ([lng, lt]) => {
      const map = window.__map!;
      const p = map.project([lng, lt]);
      const r = map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    [lon, lat] as const,
  );
}

describe('planning lookup page', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ seedReports: 20 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets a resident on a phone tap the map or type coordinates and read the zone card', async () => {
    const context = await browser.newContext({ ...PHONE, locale: 'vi-VN', permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/planning`);
    await waitForMap(page);
    await expect.poll(() => page.locator('.legend li .code').count(), { timeout: 60_000 }).toBeGreaterThan(3);
    expect(await page.getByText('Dữ liệu mẫu', { exact: true }).isVisible()).toBe(true);
    const mapPng = await page.screenshot({ path: screenshotPath('planning-phone-map.png') });
    const stats = await imageStats(page, mapPng);
    expect(stats.distinctColours).toBeGreaterThan(20);
    // Zones lie under the streets and their names, so a resident can still read which street a plot is on.
    const order = await page.evaluate(() => window.__map!.getStyle().layers.map((l) => l.id));
    expect(order.indexOf('planning-fill-detailed')).toBeGreaterThan(-1);
    for (const zones of ['planning-fill-general', 'planning-fill-zoning', 'planning-fill-detailed']) {
      expect(order.indexOf(zones), `${zones} under the roads`).toBeLessThan(order.indexOf('road-path'));
      expect(order.indexOf(zones), `${zones} under the street names`).toBeLessThan(order.indexOf('road-label'));
    }

    // Tap the map.
    const { x, y } = await pixelOf(page, SPOT.lon, SPOT.lat);
    await page.mouse.click(x, y);
    const card = page.getByTestId('planning-card');
    await card.waitFor({ timeout: 30_000 });
    await expect.poll(() => card.locator('.zone').count()).toBeGreaterThanOrEqual(2);
    const text = await card.innerText();
    expect(text).toMatch(/Quy hoạch chi tiết khu trung tâm Buôn Ma Thuột/);
    expect(text).toMatch(/Quyết định số DEMO-QHCT-01 ngày 01\/07\/2025/);
    expect(text).toMatch(/Tầng cao tối đa/);
    expect(text).toMatch(/DỮ LIỆU MẪU/);
    expect(text).toMatch(/Văn phòng đăng ký đất đai/);
    const share = await card.locator('.share input').inputValue();
    expect(share).toMatch(/\/planning\?lat=12\.66\d+&lon=108\.03\d+$/);
    expect(new URL(page.url()).searchParams.get('lat')).toBeTruthy();
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('planning-phone-card.png'), fullPage: true });

    // Type coordinates outside any plan (Tuy Hòa) and then outside the province.
    await page.fill('#planning-coords', '13.09, 109.29');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => card.innerText(), { timeout: 30_000 }).toMatch(/Chưa có dữ liệu quy hoạch/);
    await page.fill('#planning-coords', '21.0285, 105.8542');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 30_000 }).toMatch(/ngoài tỉnh Đắk Lắk/);

    // A shared link opens straight onto the card.
    const shared = await context.newPage();
    await shared.goto(share);
    await shared.getByTestId('planning-card').waitFor({ timeout: 60_000 });
    expect(await shared.getByTestId('planning-card').innerText()).toMatch(/DEMO-QHCT-01/);
    await shared.screenshot({ path: screenshotPath('planning-phone-shared.png'), fullPage: true });

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests.filter((r) => !/\/api\/planning\/lookup\?lat=21/.test(r))).toEqual([]);
    expect(fs.existsSync(screenshotPath('planning-phone-card.png'))).toBe(true);
    await context.close();
  }, 300_000);
});
