import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, REPO_ROOT, screenshotPath, startServer, watchPage, type TestServer } from './harness.js';

const BMT = { lat: 12.6667, lon: 108.0383 };
const PHOTO = path.join(REPO_ROOT, 'fixtures', 'media', 'pothole.png');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;

/** How many public reports near central Buôn Ma Thuột carry this title (asked from the test process, which is never offline). */
async function countByTitle(url: string, title: string): Promise<number> {
  const bbox = [BMT.lon - 0.05, BMT.lat - 0.05, BMT.lon + 0.05, BMT.lat + 0.05].join(',');
  const res = await fetch(`${url}/api/reports?field=road&bbox=${bbox}&limit=1000`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { features: { properties: { title: string } }[] };
  return body.features.filter((f) => f.properties.title === title).length;
}

describe('installable app, offline queue', () => {
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

  it('serves a manifest with the Vietnamese name and icons', async () => {
    const res = await fetch(`${server.url}/manifest.webmanifest`);
    expect(res.status).toBe(200);
    const manifest = (await res.json()) as { name: string; start_url: string; display: string; icons: { src: string; sizes: string }[] };
    expect(manifest.name).toBe('Phản ánh hiện trường');
    expect(manifest.start_url).toBe('/');
    expect(manifest.display).toBe('standalone');
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size)!;
      const png = await fetch(`${server.url}${icon.src}`);
      expect(png.headers.get('content-type')).toContain('image/png');
    }
  });

  it('keeps a report filed offline across a reload and sends it exactly once when the network returns', async () => {
    const title = `Ổ gà ngoại tuyến ${Date.now().toString(36)}`;
    const context = await browser.newContext({ ...PHONE, locale: 'vi-VN' });
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation({ latitude: BMT.lat, longitude: BMT.lon });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);

    // Online once: the service worker installs and takes control; a second load fills its caches.
    await page.goto(server.url);
    await page.locator('[data-field="road"]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 30_000 });
    await page.reload();
    await page.locator('[data-field="road"]').waitFor();
    expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

    // No signal from here on.
    await context.setOffline(true);
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    await page.locator('[data-field="road"]').click();
    await page.getByTestId('locate').click();
    await page.locator('[data-testid="pin-area"]:not([data-state="none"]):not([data-state="checking"])').waitFor();
    await page.fill('#in-title', title);
    await page.fill('#in-description', 'Ổ gà sâu giữa đường, gửi lúc không có sóng điện thoại ở thôn.');
    await page.getByTestId('photo-input').setInputFiles(PHOTO);
    await page.locator('#step-media img').waitFor();
    await page.getByTestId('submit').click();

    await page.getByTestId('queued').waitFor();
    const item = page.getByTestId('outbox-item');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.textContent()).toContain(title);
    expect(await item.textContent()).toContain('Đang chờ mạng');
    expect(await item.textContent()).toContain('1 ảnh');
    await page.screenshot({ path: screenshotPath('pwa-1-queued-offline.png') });
    expect(await countByTitle(server.url, title)).toBe(0);

    // Reload while offline: the service worker serves the shell, and the draft is still there.
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.getByTestId('outbox-item').waitFor();
    expect(await page.getByTestId('outbox-item').textContent()).toContain(title);
    // A send attempt may be under way as the page starts; it must settle back to waiting.
    await page.locator('[data-testid="outbox-item"][data-state="waiting"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-field="road"]').waitFor(); // the field list came from the cache
    await page.screenshot({ path: screenshotPath('pwa-2-reloaded-offline.png') });
    expect(await countByTitle(server.url, title)).toBe(0);

    // Back online: it goes by itself, once.
    await context.setOffline(false);
    const sent = page.getByTestId('outbox-sent');
    await sent.waitFor({ timeout: 60_000 });
    expect(await sent.textContent()).toContain(title);
    await expect.poll(() => page.getByTestId('outbox-item').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('pwa-3-sent.png') });
    expect(await countByTitle(server.url, title)).toBe(1);
    const code = (await sent.locator('a').textContent())!.trim();
    const report = (await (await fetch(`${server.url}/api/reports/${code}`)).json()) as { title: string; media: unknown[] };
    expect(report.title).toBe(title);
    expect(report.media).toHaveLength(1);

    // Another start of the app sends nothing again; "My reports" lists it with its status.
    await page.goto(`${server.url}/my`);
    const mine = page.locator(`[data-testid="my-reports"] li[data-code="${code}"]`);
    await mine.waitFor();
    await mine.locator('[data-status]').waitFor();
    await page.screenshot({ path: screenshotPath('pwa-4-my-reports.png') });
    await page.waitForTimeout(1000);
    expect(await countByTitle(server.url, title)).toBe(1);

    expect(problems.errors).toEqual([]);
    await context.close();
  });
});
