import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, watchPage, type TestServer } from './harness.js';

const ADMIN = { username: 'admin', password: 'daklak-admin-2025' };
const VIEWPORT = { width: 1440, height: 900 };
const CLIENT = 'Hệ thống QLVB phường Buôn Ma Thuột';

describe('back office: Open311 keys', () => {
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

  it('issues a key scoped to a unit, shows it once, and revokes it', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/staff/login`);
    await page.locator('input[name="username"]').fill(ADMIN.username);
    await page.locator('input[name="password"]').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.waitForURL((u) => u.pathname === '/staff');
    await page.goto(`${server.url}/staff/admin?tab=apikeys`);
    await page.locator('input[name="key-client"]').fill(CLIENT);
    // The unit scope is the default choice; a unit must be picked.
    const unit = page.locator('select[name="key-unit"]');
    await unit.locator('option:not([disabled])').first().waitFor({ state: 'attached' });
    const unitValue = await unit.locator('option:not([disabled])').first().getAttribute('value');
    await unit.selectOption(unitValue!);
    await page.getByRole('button', { name: 'Cấp khoá' }).click();
    const key = page.getByTestId('issued-key');
    await key.waitFor();
    expect(await key.textContent()).toMatch(/^co311_[A-Za-z0-9_-]{32}$/);
    const row = page.locator('tr', { hasText: CLIENT });
    await expect.poll(() => row.textContent()).toContain('Phản ánh của một đơn vị');
    await page.screenshot({ path: screenshotPath('staff-admin-apikeys.png') });

    // The key works on Open311 for that unit's reports only; here it is simply accepted as a key.
    const res = await fetch(`${server.url}/open311/v2/servicerequestupdates.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: (await key.textContent())!, update_id: 'ui-1', service_request_id: 'ZZZZZZZZ', status: 'FIXED', description: 'x' }),
    });
    expect(res.status).toBe(404);

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Thu hồi' }).click();
    await expect.poll(() => row.textContent()).toContain('Đã thu hồi');
    expect(problems.errors).toEqual([]);
    await page.close();
  });
});
