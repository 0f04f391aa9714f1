import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, watchPage, type TestServer } from './harness.js';

// The demo admin (server/services/seed.ts). This server keeps the default
// MFA_REQUIRED_ROLES, so the admin must enrol a second factor before anything else.
const ADMIN = { username: 'admin', password: 'daklak-admin-2025' };
const VIEWPORT = { width: 1280, height: 860 };

const codeAt = (secret: string, at: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });

async function setLang(page: Page, lang: 'vi' | 'en') {
  await page.locator(`button[lang="${lang}"]`).first().click();
}

async function fillLogin(page: Page, url: string) {
  await page.goto(`${url}/staff/login`);
  await page.locator('input[name="username"]').fill(ADMIN.username);
  await page.locator('input[name="password"]').fill(ADMIN.password);
  await page.locator('form button[type="submit"]').click();
}

describe('staff second factor and password change in the browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ seedReports: 20, env: { MFA_REQUIRED_ROLES: 'admin,dispatcher' } });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('makes the admin enrol TOTP, then asks for a code at sign-in; refuses a weak new password', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems = watchPage(page, server.url);

    // First sign-in: the session can only reach the account page until a second factor is set up.
    await fillLogin(page, server.url);
    await page.waitForURL((u) => u.pathname === '/staff/account');
    await page.getByTestId('restriction').waitFor();
    expect(await page.getByTestId('restriction').textContent()).toContain('xác thực hai lớp');
    await page.goto(`${server.url}/staff`);
    await page.waitForURL((u) => u.pathname === '/staff/account');

    await page.getByTestId('totp-start').click();
    await page.getByTestId('totp-panel').locator('input[name="password"]').fill(ADMIN.password);
    await page.getByTestId('totp-panel').locator('form button[type="submit"]').click();
    await page.getByTestId('totp-secret').waitFor();
    await page.getByTestId('totp-panel').locator('svg').first().waitFor();
    await page.screenshot({ path: screenshotPath('staff-mfa-enrol-vi.png') });
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const enrolledAt = Date.now();
    await page.getByTestId('totp-panel').locator('input[name="code"]').fill(codeAt(secret, enrolledAt));
    await page.getByTestId('totp-panel').locator('form button[type="submit"]').click();
    await page.getByTestId('recovery-codes').waitFor();
    expect(await page.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    await page.getByTestId('restriction').waitFor({ state: 'detached' });
    await page.screenshot({ path: screenshotPath('staff-mfa-recovery-vi.png') });

    // A weak new password is refused beside its field, in the page's language.
    const pw = page.getByTestId('password-panel');
    await setLang(page, 'en');
    await pw.locator('input[name="current_password"]').fill(ADMIN.password);
    await pw.locator('input[name="new_password"]').fill('password1234');
    await pw.locator('input[name="repeat_password"]').fill('password1234');
    await pw.locator('button[type="submit"]').click();
    await page.getByTestId('new-password-error').waitFor();
    expect(await page.getByTestId('new-password-error').textContent()).toMatch(/too easy to guess/i);
    await pw.locator('input[name="new_password"]').fill('1234567890');
    await pw.locator('input[name="repeat_password"]').fill('1234567890');
    await pw.locator('button[type="submit"]').click();
    await page.getByTestId('new-password-error').filter({ hasText: 'at least 12' }).waitFor();
    await page.screenshot({ path: screenshotPath('staff-mfa-account-en.png') });
    await setLang(page, 'vi');
    await page.getByTestId('new-password-error').filter({ hasText: 'ít nhất 12' }).waitFor();

    // Now a full session: the inbox opens.
    await page.goto(`${server.url}/staff`);
    await page.waitForURL((u) => u.pathname === '/staff');
    await page.getByTestId('staff-user').waitFor();
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.waitForURL((u) => u.pathname === '/staff/login');

    // Second sign-in: the password alone is not enough; the page asks for the code.
    await fillLogin(page, server.url);
    await page.getByTestId('totp-prompt').waitFor();
    await page.screenshot({ path: screenshotPath('staff-mfa-login-code-vi.png') });
    await setLang(page, 'en');
    await page.screenshot({ path: screenshotPath('staff-mfa-login-code-en.png') });
    // The code that confirmed enrolment is spent; the next step's is not.
    await page.locator('input[name="totp"]').fill(codeAt(secret, enrolledAt));
    await page.locator('form button[type="submit"]').click();
    await page.getByTestId('login-error').waitFor();
    expect(await page.getByTestId('login-error').textContent()).toMatch(/already used|expired|wrong/);
    await page.locator('input[name="totp"]').fill(codeAt(secret, enrolledAt + 30_000));
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL((u) => u.pathname === '/staff');
    await page.getByTestId('staff-user').waitFor();

    // The admin's security log shows the sign-ins.
    await page.goto(`${server.url}/staff/admin?tab=audit`);
    await page.getByTestId('audit-table').locator('tr[data-action="auth.totp.enrol"]').first().waitFor();
    await page.screenshot({ path: screenshotPath('staff-mfa-audit-en.png') });
    await setLang(page, 'vi');
    await page.screenshot({ path: screenshotPath('staff-mfa-audit-vi.png') });

    expect(problems.errors).toEqual([]);
    // Expected refusals only: the restricted session's requests, the weak passwords, the spent code and the missing one.
    for (const failed of problems.failedRequests) expect(failed).toMatch(/\/api\/(auth\/(login|password)|staff\/|admin\/|config|areas|fields).* (400|401|403)$/);
    await page.close();
  }, 240_000);
});
