import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageStats, launchBrowser, REPO_ROOT, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

/** Central Buôn Ma Thuột. */
const BMT = { lat: 12.6667, lon: 108.0383 };
const PHOTO = path.join(REPO_ROOT, 'fixtures', 'media', 'pothole.png');
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;

/** Files a report straight through the API, so the form has a nearby duplicate to offer. */
async function fileByApi(url: string, title: string): Promise<{ code: string }> {
  const form = new FormData();
  form.set('field', 'road');
  form.set('title', title);
  form.set('description', 'Mặt đường bị vỡ một mảng lớn, xe máy đi qua rất nguy hiểm.');
  form.set('lat', String(BMT.lat + 0.0001));
  form.set('lon', String(BMT.lon + 0.0001));
  const res = await fetch(`${url}/api/reports`, { method: 'POST', body: form });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { code: string };
}

/** The on-screen pixel of a [lng, lat] on the page's map (exposed as window.__map for tests). */
async function pixelOf(page: Page, lon: number, lat: number) {
  return page.evaluate(
    ([lng, lt]) => {
      const map = window.__map!;
      const p = map.project([lng, lt]);
      const r = map.getCanvas().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y, inside: p.x > 0 && p.y > 0 && p.x < r.width && p.y < r.height };
    },
    [lon, lat] as const,
  );
}

async function mapSettled(page: Page) {
  await page.waitForFunction(() => {
    const map = window.__map;
    return !!map && !map.isMoving() && map.loaded();
  });
}

describe('citizen pages', () => {
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

  it('lets a resident on a phone report a pothole and follow it', async () => {
    const duplicate = await fileByApi(server.url, 'Ổ gà lớn giữa đường Lê Duẩn');
    const context = await browser.newContext({ ...PHONE, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(server.url);

    // 1. The field, first.
    await page.locator('[data-field="road"]').waitFor();
    await page.screenshot({ path: screenshotPath('citizen-form-1-field.png') });
    const card = page.locator('[data-field="road"]');
    expect((await card.boundingBox())!.height).toBeGreaterThanOrEqual(48);
    await card.click();
    await expect.poll(() => page.getByTestId('chosen-field').textContent()).toContain('Giao thông');

    // 2. The pin: tap the map at central Buôn Ma Thuột.
    await waitForMap(page);
    await page.locator('#step-pin .frame').scrollIntoViewIfNeeded();
    await mapSettled(page);
    const at = await pixelOf(page, BMT.lon, BMT.lat);
    expect(at.inside).toBe(true);
    await page.mouse.click(at.x, at.y);
    const ward = page.getByTestId('pin-ward');
    await ward.waitFor();
    expect((await ward.textContent())?.trim().length).toBeGreaterThan(2);
    await mapSettled(page);
    expect(await page.locator('.citizen-pin').count()).toBe(1);
    // A tap at province scale is a first guess; the map zooms in, and a second tap puts the pin on the spot.
    expect(await page.evaluate(() => window.__map!.getZoom())).toBeGreaterThanOrEqual(14);
    const exact = await pixelOf(page, BMT.lon, BMT.lat);
    await page.mouse.click(exact.x, exact.y);
    await ward.waitFor();

    // 3. The report filed a moment ago is offered as a duplicate; "me too" counts this person.
    const nearby = page.getByTestId('nearby');
    await nearby.waitFor({ timeout: 15_000 });
    expect(await nearby.textContent()).toContain('Ổ gà lớn giữa đường Lê Duẩn');
    await page.locator('#step-pin').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('citizen-form-2-pin.png') });
    await nearby.getByRole('button', { name: 'Đây cũng là vấn đề của tôi' }).click();
    // A phone number needs the consent box ticked (Decree 13/2023).
    await nearby.locator('input[type="tel"]').fill('0987 654 321');
    await nearby.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => nearby.textContent()).toContain('Hãy đánh dấu ô đồng ý');
    await nearby.getByTestId('follow-consent').check();
    await nearby.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => nearby.textContent()).toContain('Hiện có 1 người cùng phản ánh');
    const followed = (await (await fetch(`${server.url}/api/reports/${duplicate.code}`)).json()) as { follower_count: number };
    expect(followed.follower_count).toBe(1);

    // 4. Words, with counters; 5. a photo with its preview.
    await page.fill('#in-title', 'Ổ gà sâu trước chợ');
    await page.fill('#in-description', 'Ổ gà sâu khoảng 20 cm ngay trước cổng chợ, trời mưa đọng nước không nhìn thấy.');
    expect(await page.locator('#count-title').textContent()).toContain('18/150');
    await page.getByTestId('photo-input').setInputFiles(PHOTO);
    await page.locator('#step-media img').waitFor();
    await page.locator('#step-media').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('citizen-form-3-text-photo.png') });

    // 6. Contact, then send.
    await page.fill('#in-name', 'Nguyễn Văn An');
    await page.fill('#in-phone', '0912 345 678');
    await page.getByTestId('submit').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('citizen-form-4-contact.png') });
    // Contact details without the consent box: the form asks for it and sends nothing.
    await page.getByTestId('submit').click();
    await expect.poll(() => page.locator('#step-contact [role="alert"]').textContent()).toContain('Hãy đánh dấu ô đồng ý');
    await page.getByTestId('consent').check();
    await page.getByTestId('submit').click();

    const code = page.getByTestId('tracking-code');
    await code.waitFor({ timeout: 60_000 });
    const trackingCode = (await code.textContent())!.trim();
    expect(trackingCode).toMatch(/^[2-9A-Z]{8}$/);
    const manageUrl = await page.getByTestId('manage-url').getAttribute('href');
    expect(manageUrl).toMatch(new RegExp(`/r/${trackingCode}\\?token=`));
    await page.screenshot({ path: screenshotPath('citizen-done.png') });

    // The tracking page, reached from the confirmation's main action (the private link).
    await page.getByRole('link', { name: 'Mở đường dẫn riêng: theo dõi và đánh giá' }).click();
    await page.getByTestId('timeline').waitFor();
    expect(page.url()).toContain(`/r/${trackingCode}`);
    await page.locator('[data-event="received"]').waitFor();
    expect(await page.getByTestId('tracking').textContent()).toContain('Ổ gà sâu trước chợ');
    expect(await page.getByTestId('tracking').textContent()).toContain('Nguyễn Văn An');
    expect(await page.getByTestId('tracking').textContent()).not.toContain('0912');
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('tracking.png') });
    await page.getByTestId('timeline').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('tracking-timeline.png') });
    // The timeline's words are the server's, in the reader's language: switched on the page, they follow.
    const received = page.locator('[data-event="received"] .title');
    expect(await received.textContent()).toBe('Đã tiếp nhận phản ánh');
    await page.locator('button[lang="en"]').first().click();
    await expect.poll(() => received.textContent()).toBe('Report received');
    await page.locator('button[lang="vi"]').first().click();
    await expect.poll(() => received.textContent()).toBe('Đã tiếp nhận phản ánh');

    // The private link offers withdrawal while the report is open.
    await page.goto(`${server.url}${manageUrl}`);
    const manage = page.getByTestId('manage');
    await manage.waitFor();
    await manage.getByRole('button', { name: 'Rút lại phản ánh' }).click();
    await manage.getByRole('button', { name: 'Chắc chắn rút lại' }).click();
    await expect.poll(() => manage.textContent()).toContain('Phản ánh đã được rút lại');
    await expect.poll(() => page.locator('[data-status="withdrawn"]').count()).toBeGreaterThan(0);

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await context.close();
  });

  it('says what contact data is kept, why, who sees it and for how long, in both languages, at 360×800', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    for (const lang of ['vi', 'en'] as const) {
      await page.goto(server.url);
      await page.evaluate((l) => localStorage.setItem('civic-ops.lang', l), lang);
      await page.reload();
      await page.locator('[data-field="road"]').click();
      const notice = page.getByTestId('contact-notice');
      await notice.scrollIntoViewIfNeeded();
      const text = (await notice.textContent())!;
      const expected = lang === 'vi'
        ? ['họ tên, số điện thoại, email', 'báo cho bạn kết quả xử lý', 'chỉ đơn vị xử lý và cán bộ điều phối', '24 tháng sau khi phản ánh kết thúc', 'Nghị định 13/2023/NĐ-CP']
        : ['name, phone number and e-mail', 'tell you how your report is handled', 'only the handling unit and the dispatchers', '24 months after the report is closed', 'Decree 13/2023/NĐ-CP'];
      for (const phrase of expected) expect(text).toContain(phrase);
      // Unticked until the person ticks it.
      expect(await page.getByTestId('consent').isChecked()).toBe(false);
      // Nothing overflows the narrow screen.
      const box = (await notice.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // The notice's end and the box, clear of the floating assistant button.
      await page.getByTestId('consent').evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: screenshotPath(`citizen-consent-360-${lang}.png`) });
    }
    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await context.close();
  });

  it('places the pin from the device location and blocks a pin outside the province', async () => {
    const context = await browser.newContext({ ...PHONE, locale: 'vi-VN' });
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation({ latitude: BMT.lat, longitude: BMT.lon });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(server.url);
    await page.locator('[data-field="lighting"]').click();
    await waitForMap(page);
    await page.getByTestId('locate').click();
    await page.getByTestId('pin-ward').waitFor();

    // Drag the view far outside the province and tap: the form says so and will not send.
    await page.evaluate(() => window.__map!.jumpTo({ center: [106.7, 10.78], zoom: 12 }));
    await mapSettled(page);
    const box = (await page.locator('#step-pin .frame').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('pin-outside').waitFor();
    expect(await page.getByTestId('submit').isDisabled()).toBe(true);

    expect(problems.errors).toEqual([]);
    // The only failed request is the ward lookup answering 422 outside_region, which is the point.
    expect(problems.failedRequests.every((r) => r.includes('/api/areas/at') && r.endsWith(' 422'))).toBe(true);
    await context.close();
  });

  it('shows the public map with hexagons, points, filters in the URL and a report card', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/map`);
    await waitForMap(page);
    await expect.poll(() => page.getByTestId('map-count').textContent(), { timeout: 30_000 }).toMatch(/(^|\s)[1-9][\d.]* phản ánh/);
    await expect.poll(() => page.getByTestId('map-count').textContent()).not.toContain('Đang tải');
    await mapSettled(page);
    await page.screenshot({ path: screenshotPath('public-map.png') });
    const stats = await imageStats(page, await page.locator('canvas.maplibregl-canvas').screenshot());
    expect(stats.distinctColours, JSON.stringify(stats)).toBeGreaterThan(40);

    // A status filter goes into the URL; the back button takes it off again.
    await page.getByTestId('status-legend').getByRole('button', { name: 'Đang xử lý' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('in_progress');
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBeNull();

    // Zoomed in, single reports coloured by status; clicking one opens its card.
    await page.goto(`${server.url}/map?at=${BMT.lat},${BMT.lon},11`);
    await waitForMap(page);
    await expect.poll(() => page.getByTestId('map-count').textContent(), { timeout: 30_000 }).toMatch(/(^|\s)[1-9][\d.]* phản ánh/);
    await expect.poll(() => page.getByTestId('map-count').textContent()).not.toContain('Đang tải');
    await mapSettled(page);
    // A report whose dot is clear of the side panel and the edges.
    const target = await page.evaluate(async () => {
      const map = window.__map!;
      const res = await fetch(`/api/reports?bbox=${map.getBounds().toArray().flat().join(',')}&limit=200`);
      const body = (await res.json()) as { features: { geometry: { coordinates: [number, number] } }[] };
      const { width, height } = map.getCanvas().getBoundingClientRect();
      const clear = body.features.find((f) => {
        const p = map.project(f.geometry.coordinates);
        return p.x > 420 && p.x < width - 80 && p.y > 80 && p.y < height - 80;
      });
      return clear?.geometry.coordinates ?? null;
    });
    expect(target).not.toBeNull();
    const dot = await pixelOf(page, target![0], target![1]);
    await page.mouse.click(dot.x, dot.y);
    await page.getByTestId('report-card').waitFor();
    expect(new URL(page.url()).searchParams.get('report')).toMatch(/^[2-9A-Z]{8}$/);
    await page.screenshot({ path: screenshotPath('public-map-points.png') });

    // English is complete here too.
    await page.getByRole('button', { name: 'EN' }).click();
    await page.getByTestId('map-count').filter({ hasText: 'in view' }).waitFor();

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    expect(fs.existsSync(screenshotPath('public-map.png'))).toBe(true);
    await page.close();
  });
});
