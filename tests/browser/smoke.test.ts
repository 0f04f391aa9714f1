import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageStats, launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

describe('province map', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ seedReports: 300 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('draws the province offline on a wall-sized screen', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/areas`);
    await waitForMap(page);

    await page.locator('header', { hasText: 'Phản ánh hiện trường — Đắk Lắk' }).waitFor();
    const png = await page.screenshot({ path: screenshotPath('province-map.png') });
    const canvas = await page.locator('canvas.maplibregl-canvas').screenshot();
    const stats = await imageStats(page, canvas);
    // A blank or single-colour canvas has a handful of colours; boundaries, fills and labels make many.
    expect(stats.distinctColours, JSON.stringify(stats)).toBeGreaterThan(40);
    expect(stats.nonDominantShare, JSON.stringify(stats)).toBeGreaterThan(0.05);
    expect(stats.darkShare, JSON.stringify(stats)).toBeGreaterThan(0.002);
    expect(png.length).toBeGreaterThan(0);

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });

  it('switches to English and names the ward under the pointer', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/areas`);
    await waitForMap(page);

    await page.getByRole('button', { name: 'EN' }).click();
    await page.locator('header', { hasText: 'Field reports — Đắk Lắk' }).waitFor();

    // Somewhere inside the fitted province, clear of the side panel.
    const box = (await page.locator('canvas.maplibregl-canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.5);
    const ward = page.getByTestId('readout-ward');
    await ward.waitFor();
    expect((await ward.textContent())?.trim()).toMatch(/\S+ (Ward|Commune)$/);
    expect(page.url()).toMatch(/[?&]area=\d+/);

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });

  it('fits a phone screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/areas`);
    await waitForMap(page);

    await page.screenshot({ path: screenshotPath('province-map-phone.png') });
    const stats = await imageStats(page, await page.locator('canvas.maplibregl-canvas').screenshot());
    expect(stats.distinctColours, JSON.stringify(stats)).toBeGreaterThan(40);

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });
});
