import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

async function mapSettled(page: Page) {
  await page.waitForFunction(() => {
    const map = window.__map;
    return !!map && !map.isMoving() && map.loaded();
  });
}

describe('place search on the report form', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // The embedded database boots slowly on a shared machine; the test is about search, not boot time.
    server = await startServer({ seedReports: 20, readyTimeoutMs: 300_000 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds Lê Duẩn typed without tone marks at 360×800, flies there, and names the dropped pin', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, locale: 'vi-VN' });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(server.url);
    await page.locator('[data-field="road"]').click();
    await waitForMap(page);
    await mapSettled(page);

    const box = page.getByRole('combobox', { name: 'Tìm địa điểm' });
    await box.scrollIntoViewIfNeeded();
    // Typed as a person types: each letter would ask again; only the last answer may land.
    await box.pressSequentially('le duan', { delay: 40 });
    // The street itself, not "Hẻm 170 Lê Duẩn" beside it.
    const option = page.getByRole('option', { name: 'Lê Duẩn Đường · Phường Buôn Ma Thuột', exact: true });
    await option.waitFor();
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    const options = page.getByRole('option');
    for (const o of await options.all()) expect((await o.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    const smallest = await page.locator('[role="listbox"] li span').evaluateAll((spans) => Math.min(...spans.map((s) => parseFloat(getComputedStyle(s).fontSize))));
    expect(smallest).toBeGreaterThanOrEqual(14);
    await page.screenshot({ path: screenshotPath('place-search-1-results-360-vi.png') });

    await option.click();
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => page.evaluate(() => window.__map!.getZoom()), { timeout: 15_000 }).toBeGreaterThanOrEqual(15.5);
    await mapSettled(page);
    // The map is centred on the answer picked: the one the API gives for Lê Duẩn in Phường Buôn Ma Thuột.
    const answers = (await (await fetch(`${server.url}/api/places/search?q=le+duan&limit=10`)).json()) as { name: string; ward: { code: string }; center: [number, number] }[];
    const picked = answers.find((p) => p.name === 'Lê Duẩn' && p.ward.code === '24133')!;
    const center = await page.evaluate(() => window.__map!.getCenter().toArray());
    expect(center[0]).toBeCloseTo(picked.center[0], 3);
    expect(center[1]).toBeCloseTo(picked.center[1], 3);

    // The citizen taps where the problem is: here, the middle of the map the search brought up.
    const frame = (await page.locator('#step-pin .frame').boundingBox())!;
    await page.mouse.click(frame.x + frame.width / 2, frame.y + frame.height / 2);
    const near = page.locator('[data-testid="place-near"][data-state="ready"]');
    await near.waitFor({ timeout: 15_000 });
    const line = (await near.textContent())!.trim();
    expect(line).toMatch(/^Gần .*Lê Duẩn, Phường Buôn Ma Thuột$/);
    // The pin's ward box, not the search answers' "where" lines (they share the class name).
    await page.getByTestId('pin-area').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('place-search-2-pin-360-vi.png') });

    // The keyboard alone: arrows move through the answers, Enter picks one.
    await box.scrollIntoViewIfNeeded();
    await box.fill('');
    await box.pressSequentially('cho trung tam', { delay: 30 });
    await page.getByRole('option').filter({ hasText: 'Chợ Trung Tâm' }).first().waitFor();
    await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe('Chợ Trung Tâm');

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await context.close();
  });
});
