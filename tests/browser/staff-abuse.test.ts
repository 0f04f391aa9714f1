import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

// The demo seed's accounts (server/services/seed.ts).
const DISPATCHER = { username: 'dieuphoi', password: 'daklak-dieuphoi-2025' };
const OFFICER = { username: 'canbo.bmt', password: 'daklak-canbo-2025' };
/** Central Buôn Ma Thuột, [lng, lat]. */
const BMT: [number, number] = [108.0383, 12.6667];
const VIEWPORT = { width: 1440, height: 900 };

interface Created {
  code: string;
  status: string;
  unit?: { id: number };
  needs_review?: true;
}

/** Files a report over the public API, as the citizen app would, from one device. */
async function fileReport(url: string, r: { title: string; phone: string; device: string; offset: number }): Promise<Created> {
  const form = new FormData();
  form.set('field', 'urban_order');
  form.set('title', r.title);
  form.set('description', `${r.title}, đề nghị cơ quan chức năng kiểm tra và xử lý sớm.`);
  form.set('lat', String(BMT[1] + r.offset));
  form.set('lon', String(BMT[0]));
  form.set('name', 'Trần Văn Bình');
  form.set('phone', r.phone);
  form.set('contact_consent', 'true');
  const res = await fetch(`${url}/api/reports`, { method: 'POST', body: form, headers: { 'X-Device-Id': r.device } });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Created;
}

async function uiLogin(page: Page, url: string, who: { username: string; password: string }) {
  await page.goto(`${url}/staff/login`);
  await page.locator('input[name="username"]').fill(who.username);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => u.pathname === '/staff');
  await page.getByTestId('staff-user').waitFor();
}

async function openReport(page: Page, url: string, code: string) {
  await page.goto(`${url}/staff/r/${code}`);
  await page.getByTestId('report-code').waitFor();
}

/** Walks the form to its confirm step and confirms. */
async function submitMark(page: Page) {
  await page.getByTestId('abuse-next').click();
  await page.getByTestId('abuse-confirm').waitFor();
  await page.getByTestId('abuse-confirm-button').click();
}

describe('back office: marking a sender abusive', () => {
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

  it('marks the sender from the report page, holds their next report, and says why on its page', async () => {
    const phone = `09${crypto.randomInt(10_000_000, 99_999_999)}`;
    const first = await fileReport(server.url, {
      title: 'Tin báo sai sự thật về cháy chợ trung tâm', phone, device: crypto.randomUUID(), offset: 0,
    });
    // Before any mark the seed's rules route urban order straight to the ward committee: the contrast for later.
    expect(first.status).toBe('assigned');
    expect(first.needs_review).toBeUndefined();

    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems = watchPage(page, server.url);
    await uiLogin(page, server.url, DISPATCHER);
    await openReport(page, server.url, first.code);
    expect(await page.getByTestId('reporter').textContent()).toContain(phone);

    const panel = page.getByTestId('sender-abuse');
    await page.getByTestId('abuse-open').click();
    const form = page.getByTestId('abuse-form');
    await form.waitFor();
    // Both identities the report carries are proposed.
    expect(await form.locator('input[name="abuse-client"]').isChecked()).toBe(true);
    expect(await form.locator('input[name="abuse-phone"]').isChecked()).toBe(true);
    expect(await form.textContent()).toContain(phone);

    // (a) No reason: the server refuses, and says so beside the reason.
    await submitMark(page);
    const reasonError = form.locator('[data-field-error="reason"]');
    await reasonError.waitFor();
    expect(await reasonError.textContent()).toContain('at least 3 characters');
    expect(await form.locator('textarea[name="abuse-reason"]').getAttribute('aria-invalid')).toBe('true');
    // Back on the editable step, nothing marked yet.
    expect(await page.getByTestId('abuse-confirm').count()).toBe(0);
    expect(await page.getByTestId('abuse-status').count()).toBe(0);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('staff-abuse-field-error.png') });

    // (b) A reason but nothing chosen: the error sits beside the identities.
    await form.locator('textarea[name="abuse-reason"]').fill('Liên tục báo cháy giả, đã xác minh không có sự việc.');
    await form.locator('input[name="abuse-client"]').uncheck();
    await form.locator('input[name="abuse-phone"]').uncheck();
    await submitMark(page);
    await form.locator('[data-field-error="client"]').waitFor();
    expect(await form.locator('[data-field-error="reason"]').count()).toBe(0);

    // (c) Both chosen: the confirm step names what will be marked, then the result says what was.
    await form.locator('input[name="abuse-client"]').check();
    await form.locator('input[name="abuse-phone"]').check();
    await page.getByTestId('abuse-next').click();
    const confirm = page.getByTestId('abuse-confirm');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('số điện thoại');
    expect(await confirm.textContent()).toContain('thiết bị hoặc địa chỉ gửi');
    // The reason cannot change under the confirmation.
    expect(await form.locator('textarea[name="abuse-reason"]').isDisabled()).toBe(true);
    await page.screenshot({ path: screenshotPath('staff-abuse-confirm.png') });
    await page.getByTestId('abuse-confirm-button').click();

    const result = page.getByTestId('abuse-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('Đã đánh dấu lạm dụng');
    expect(await result.textContent()).toContain('số điện thoại');
    expect(await result.textContent()).toContain('thiết bị hoặc địa chỉ gửi');
    // The page reloaded the report: the audit log names the mark, with its reason.
    const auditRow = page.locator('.audit tbody tr', { hasText: 'Đánh dấu người gửi lạm dụng' });
    await auditRow.waitFor();
    expect(await auditRow.textContent()).toContain('Liên tục báo cháy giả');
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('staff-abuse-marked.png') });

    // (d) The same phone, written another way and from another device, files again: accepted but held.
    const intl = `+84 ${phone.slice(1, 4)} ${phone.slice(4)}`;
    const second = await fileReport(server.url, {
      title: 'Báo cháy kho hàng cạnh bến xe', phone: intl, device: crypto.randomUUID(), offset: 0.003,
    });
    expect(second).toMatchObject({ status: 'received', needs_review: true });
    expect(second.unit).toBeUndefined();
    expect((await fetch(`${server.url}/api/reports/${second.code}`)).status).toBe(404);
    const bbox = [BMT[0] - 0.05, BMT[1] - 0.05, BMT[0] + 0.05, BMT[1] + 0.05].join(',');
    const list = (await (await fetch(`${server.url}/api/reports?bbox=${bbox}&limit=1000`)).json()) as { features: { properties: { code: string } }[] };
    const listed = list.features.map((f) => f.properties.code);
    expect(listed).toContain(first.code);
    expect(listed).not.toContain(second.code);

    // (e) Its staff page says it is held, and why.
    await openReport(page, server.url, second.code);
    const banner = page.getByTestId('held-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('đang bị giữ lại chờ duyệt');
    expect(await page.getByTestId('held-reason').textContent()).toContain('người gửi bị đánh dấu lạm dụng');
    expect(await page.getByTestId('report-unit').textContent()).toBe('Chưa phân công');
    expect(await page.locator('.head [data-status]').getAttribute('data-status')).toBe('received');
    const held = page.locator('li[data-event="held_for_review"]');
    expect(await held.locator('.type').textContent()).toBe('Giữ lại chờ duyệt');
    expect(await held.textContent()).toContain('người gửi bị đánh dấu lạm dụng');
    // Its sender is already marked; the panel says so before anyone opens the form.
    expect(await page.getByTestId('abuse-status').textContent()).toContain('số điện thoại');
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('staff-abuse-held.png'), fullPage: true });

    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => banner.textContent()).toContain('This report is held for review');
    expect(await held.locator('.type').textContent()).toBe('Held for review');
    expect(await page.getByTestId('abuse-open').textContent()).toContain('Mark sender as abusive');
    await page.screenshot({ path: screenshotPath('staff-abuse-held-en.png'), fullPage: true });

    // (f) The dispatcher's queue says how many reports wait for review (the held one among them).
    await page.goto(`${server.url}/staff`);
    const heldCount = page.locator('[data-held-count]');
    await heldCount.waitFor();
    expect(Number(await heldCount.getAttribute('data-held-count'))).toBeGreaterThanOrEqual(1);
    expect(await heldCount.textContent()).toContain(`held for review: ${await heldCount.getAttribute('data-held-count')}`);
    await expect.poll(() => page.locator(`tr:has-text("${second.code}")`).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('staff-inbox-held-en.png') });

    expect(problems.errors).toEqual([]);
    // The two refusals above were the point of steps (a) and (b).
    const abuseRefusals = problems.failedRequests.filter((r) => r === `${server.url}/api/staff/reports/${first.code}/abuse 400`);
    expect(abuseRefusals).toHaveLength(2);
    expect(problems.failedRequests.filter((r) => !abuseRefusals.includes(r))).toEqual([]);
    await page.close();
  });

  it('does not offer the mark to an officer', async () => {
    const created = await fileReport(server.url, {
      title: 'Biển hiệu lấn chiếm vỉa hè đường Phan Bội Châu', phone: `09${crypto.randomInt(10_000_000, 99_999_999)}`, device: crypto.randomUUID(), offset: 0.002,
    });
    // Inside Buôn Ma Thuột ward, so it is routed to the officer's ward committee and the officer may open it.
    expect(created.status).toBe('assigned');
    const page = await browser.newPage({ viewport: VIEWPORT });
    await uiLogin(page, server.url, OFFICER);
    await openReport(page, server.url, created.code);
    await page.getByTestId('reporter').waitFor();
    expect(await page.getByTestId('reporter').textContent()).toContain('Trần Văn Bình');
    expect(await page.getByTestId('sender-abuse').count()).toBe(0);
    await page.close();
  });
});
