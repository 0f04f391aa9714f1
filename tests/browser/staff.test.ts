import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, REPO_ROOT, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

// The demo seed's accounts (server/services/seed.ts) and the officer's unit.
const ADMIN = { username: 'admin', password: 'daklak-admin-2025' };
const DISPATCHER = { username: 'dieuphoi', password: 'daklak-dieuphoi-2025' };
const OFFICER = { username: 'canbo.bmt', password: 'daklak-canbo-2025' };
const LEADER = { username: 'lanhdao', password: 'daklak-lanhdao-2025' };
const BMT_UNIT_CODE = 'ubnd-24133';
const BMT_WARD = '24133';
/** Central Buôn Ma Thuột, [lng, lat]. */
const BMT: [number, number] = [108.0383, 12.6667];
const PHOTO = path.join(REPO_ROOT, 'fixtures/media/pothole.png');
const VIEWPORT = { width: 1440, height: 900 };
const DISPATCH_RULE = 'Trật tự đô thị phường Buôn Ma Thuột — qua điều phối';
const UI_RULE = 'Cây đổ phường Buôn Ma Thuột → UBND phường';

interface ApiSession {
  cookie: string;
  csrf: string;
}

/** Signs in over the API (for set-up that is not what the test is about). */
async function apiLogin(url: string, who: { username: string; password: string }): Promise<ApiSession> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(who),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const body = (await res.json()) as { csrf_token: string };
  return { cookie, csrf: body.csrf_token };
}

async function apiJson<T>(url: string, s: ApiSession, method: string, pathname: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  expect(res.ok, `${method} ${pathname}: ${res.status} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

async function uiLogin(page: Page, url: string, who: { username: string; password: string }) {
  await page.goto(`${url}/staff/login`);
  await page.locator('input[name="username"]').fill(who.username);
  await page.locator('input[name="password"]').fill(who.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((u) => u.pathname === '/staff');
  await page.getByTestId('staff-user').waitFor();
}

async function uiLogout(page: Page) {
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.waitForURL((u) => u.pathname === '/staff/login');
}

/** Opens an action's form on the detail page, lets `fill` complete it, submits, and waits for the page to reload the report. */
async function act(page: Page, action: string, fill?: (form: ReturnType<Page['locator']>) => Promise<unknown>) {
  const before = await page.locator('.facts').textContent();
  await page.locator(`button[data-action="${action}"]`).click();
  const form = page.locator(`form[data-form="${action}"]`);
  await form.waitFor();
  if (fill) await fill(form);
  await form.locator(`button[data-submit="${action}"]`).click();
  await page.getByTestId('flash').waitFor();
  const flash = (await page.getByTestId('flash').textContent()) ?? '';
  expect(flash, `after ${action}`).toMatch(/^Đã thực hiện/);
  // The version in the facts grid moves on once the report has been reloaded.
  await expect.poll(() => page.locator('.facts').textContent()).not.toBe(before);
}

describe('back office', () => {
  let server: TestServer;
  let browser: Browser;
  let bmtUnitId: number;

  beforeAll(async () => {
    server = await startServer({ seedReports: 300 });
    browser = await launchBrowser();
    const admin = await apiLogin(server.url, ADMIN);
    const units = await apiJson<{ id: number; code: string }[]>(server.url, admin, 'GET', '/api/staff/units');
    bmtUnitId = units.find((u) => u.code === BMT_UNIT_CODE)!.id;
    // The seed routes every field automatically (ward fields to the ward
    // committees). The province sends urban order in Buôn Ma Thuột through the
    // dispatcher first: a suggestion-only rule ahead of the seeded ones.
    const rules = await apiJson<{ name: string }[]>(server.url, admin, 'GET', '/api/admin/routing-rules');
    if (!rules.some((r) => r.name === DISPATCH_RULE)) {
      await apiJson(server.url, admin, 'POST', '/api/admin/routing-rules', {
        position: 5, name: DISPATCH_RULE, field_codes: ['urban_order'], area_codes: [BMT_WARD], keywords: [], unit_id: bmtUnitId, auto_assign: false, active: true,
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('turns away a wrong password with one message for every failure', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${server.url}/staff`);
    // Not signed in: the inbox sends you to the sign-in page.
    await page.waitForURL((u) => u.pathname === '/staff/login');
    await page.locator('input[name="username"]').fill('nobody');
    await page.locator('input[name="password"]').fill('wrong-password-123');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Tên đăng nhập hoặc mật khẩu không đúng.');
    await page.screenshot({ path: screenshotPath('staff-login-error.png') });
    await page.close();
  });

  it('lets an admin add a routing rule and simulate where a pin would go', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems = watchPage(page, server.url);
    await uiLogin(page, server.url, ADMIN);
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.locator('button[data-tab="routing"]').click();
    await page.waitForURL((u) => u.searchParams.get('tab') === 'routing');

    // A keyword rule ahead of the seeded ones: fallen trees in the ward go
    // straight to the ward committee.
    await page.getByRole('button', { name: 'Thêm quy tắc' }).click();
    const form = page.getByTestId('rule-form');
    await form.locator('input[name="position"]').fill('6');
    await form.locator('input[name="rule-name"]').fill(UI_RULE);
    await form.locator('select[name="rule-unit"]').selectOption(String(bmtUnitId));
    await form.locator('input[name="rule-field"][value="trees"]').check();
    await form.locator('input[name="rule-areas"]').fill(BMT_WARD);
    await form.locator('input[name="rule-keywords"]').fill('cây đổ, gãy cành');
    await form.getByRole('button', { name: 'Lưu' }).click();
    await page.locator(`tr[data-rule="${UI_RULE}"]`).waitFor();

    // Simulator: a fallen tree at a pin in central Buôn Ma Thuột.
    const sim = page.getByTestId('simulator');
    await sim.locator('select[name="sim-field"]').selectOption('trees');
    await sim.locator('input[name="sim-text"]').fill('Cây đổ chắn ngang đường sau mưa lớn');
    await waitForMap(page);
    const point = await page.evaluate(([lng, lat]) => {
      const p = window.__map!.project([lng, lat]);
      const box = window.__map!.getCanvas().getBoundingClientRect();
      return { x: box.left + p.x, y: box.top + p.y };
    }, BMT);
    await page.mouse.click(point.x, point.y);
    const result = sim.getByTestId('sim-result');
    await result.waitFor();
    await expect.poll(() => result.textContent()).toContain(UI_RULE);
    expect(await sim.getByTestId('sim-unit').textContent()).toContain('Buôn Ma Thuột');
    expect(await result.textContent()).toContain('Tự động phân công');
    // Urban order at the same pin meets the dispatcher's rule and waits for dispatch.
    await sim.locator('select[name="sim-field"]').selectOption('urban_order');
    await expect.poll(() => result.textContent()).toContain(DISPATCH_RULE);
    expect(await result.textContent()).toContain('Chờ điều phối');
    // The unit's coverage is drawn; let the frame settle before the picture.
    await page.waitForTimeout(800);
    await page.screenshot({ path: screenshotPath('staff-admin-routing.png') });

    await page.locator('button[data-tab="users"]').click();
    await page.locator('tr[data-user="canbo.bmt"]').waitFor();
    await page.screenshot({ path: screenshotPath('staff-admin-users.png') });

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });

  it('takes a citizen report from the dispatcher to the officer, shows the response, and reopens on "not satisfied"', async () => {
    // (a) A citizen files a report over the public API.
    const form = new FormData();
    form.set('field', 'urban_order');
    form.set('title', 'Quán nước lấn chiếm vỉa hè đường Lê Duẩn');
    form.set('description', 'Quán nước bày bàn ghế chiếm hết vỉa hè trước số 120, người đi bộ phải xuống lòng đường.');
    form.set('lat', String(BMT[1]));
    form.set('lon', String(BMT[0]));
    form.set('name', 'Nguyễn Thị Lan');
    form.set('phone', '0912345678');
    form.set('contact_consent', 'true');
    form.append('photos', new Blob([fs.readFileSync(PHOTO)], { type: 'image/png' }), 'pothole.png');
    const created = await fetch(`${server.url}/api/reports`, { method: 'POST', body: form });
    expect(created.status, await created.clone().text()).toBe(201);
    const report = (await created.json()) as { code: string; status: string; manage_token: string };
    const code = report.code;
    // The suggestion-only rule keeps urban order in this ward for the dispatcher.
    expect(report.status).toBe('received');

    // (b) The dispatcher finds it in the queue, verifies it and assigns it to the ward committee.
    const page = await browser.newPage({ viewport: VIEWPORT });
    const problems = watchPage(page, server.url);
    await uiLogin(page, server.url, DISPATCHER);
    expect(await page.locator('button[role="tab"][aria-selected="true"]').getAttribute('data-tab')).toBe('dispatch');
    const row = page.locator(`tr[data-code="${code}"]`);
    await row.waitFor();
    await page.screenshot({ path: screenshotPath('staff-inbox-dispatcher.png') });

    // Filters live in the URL: filtering by SLA state and field, then going back, restores the list.
    await page.locator('select[name="field"]').selectOption('urban_order');
    await page.waitForURL((u) => u.searchParams.get('field') === 'urban_order');
    await row.waitFor();
    await page.locator('select[name="sla"]').selectOption('overdue');
    await page.waitForURL((u) => u.searchParams.get('sla') === 'overdue');
    await expect.poll(() => row.count()).toBe(0);
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('sla'));
    await row.waitFor();

    await row.getByRole('link', { name: code }).click();
    await page.waitForURL((u) => u.pathname === `/staff/r/${code}`);
    await page.getByTestId('report-code').waitFor();
    expect(await page.getByTestId('reporter').textContent()).toContain('0912345678');
    await act(page, 'verify', (f) => f.locator('textarea[name="note"]').fill('Đã gọi điện xác nhận với người phản ánh.'));
    await expect.poll(() => page.locator('.head [data-status]').getAttribute('data-status')).toBe('verified');
    await act(page, 'assign', (f) => f.locator('select[name="unit"]').selectOption(String(bmtUnitId)));
    await expect.poll(() => page.locator('.head [data-status]').getAttribute('data-status')).toBe('assigned');
    expect(await page.getByTestId('report-unit').textContent()).toContain('Buôn Ma Thuột');
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('staff-detail-dispatcher.png') });
    await uiLogout(page);

    // (c) The officer of that unit accepts, responds with an after-photo, and resolves.
    await uiLogin(page, server.url, OFFICER);
    expect(await page.locator('button[role="tab"][aria-selected="true"]').getAttribute('data-tab')).toBe('unit');
    await page.locator(`tr[data-code="${code}"]`).waitFor();
    await page.screenshot({ path: screenshotPath('staff-inbox-officer.png') });
    await page.locator(`tr[data-code="${code}"]`).getByRole('link', { name: code }).click();
    await page.getByTestId('report-code').waitFor();
    await act(page, 'accept');
    const responseText = 'UBND phường đã lập biên bản, yêu cầu chủ quán thu dọn bàn ghế và trả lại vỉa hè cho người đi bộ.';
    await act(page, 'respond', async (f) => {
      await f.locator('textarea[name="text"]').fill(responseText);
      // The picker offers HEIC only when this server decodes it, like the citizen's.
      const heic = ((await (await fetch(`${server.url}/api/config`)).json()) as { media: { heic: boolean } }).media.heic;
      await expect.poll(async () => /heic/.test((await f.locator('input[name="photos"]').getAttribute('accept')) ?? '')).toBe(heic);
      await f.locator('input[name="photos"]').setInputFiles(PHOTO);
    });
    await page.locator('li[data-event="response"] img').first().waitFor();
    await act(page, 'resolve', (f) => f.locator('textarea[name="note"]').fill('Vỉa hè đã thông thoáng.'));
    await expect.poll(() => page.locator('.head [data-status]').getAttribute('data-status')).toBe('resolved');
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('staff-detail-officer.png'), fullPage: true });

    // (d) The public tracking page shows the official response.
    const tracking = await browser.newPage({ viewport: VIEWPORT });
    await tracking.goto(`${server.url}/r/${code}`);
    await tracking.getByText(responseText).first().waitFor({ timeout: 30_000 });
    await tracking.getByText(responseText).first().scrollIntoViewIfNeeded();
    await tracking.screenshot({ path: screenshotPath('staff-tracking.png') });
    await tracking.close();
    const publicView = (await (await fetch(`${server.url}/api/reports/${code}`)).json()) as { timeline: { type: string; note: string | null }[] };
    expect(publicView.timeline.some((e) => e.type === 'response' && e.note === responseText)).toBe(true);

    // (e) The citizen is not satisfied: the report reopens for the unit.
    const rated = await fetch(`${server.url}/api/reports/${code}/rating`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ manage_token: report.manage_token, satisfied: false, comment: 'Tối nay quán lại bày ra như cũ.' }),
    });
    expect(rated.status, await rated.clone().text()).toBe(200);
    const after = (await (await fetch(`${server.url}/api/reports/${code}`)).json()) as { status: string };
    expect(after.status).toBe('reopened');

    await page.reload();
    await expect.poll(() => page.locator('.head [data-status]').getAttribute('data-status')).toBe('reopened');
    expect(await page.locator('button[data-action="resolve"]').count()).toBe(1);
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('staff-detail-reopened.png') });

    expect(problems.errors).toEqual([]);
    expect(problems.failedRequests).toEqual([]);
    await page.close();
  });

  it('explains an all-or-nothing bulk assignment failure, and hides contact details from leaders', async () => {
    // Two fresh reports: one the dispatcher may assign, one already rejected.
    const codes: string[] = [];
    for (const title of ['Bảng quảng cáo dựng trái phép trên vỉa hè', 'Xe máy đỗ tràn ra lòng đường trước chợ']) {
      const form = new FormData();
      form.set('field', 'urban_order');
      form.set('title', title);
      form.set('description', `${title}, gây cản trở người đi bộ vào giờ cao điểm.`);
      form.set('lat', String(BMT[1] + codes.length * 0.002));
      form.set('lon', String(BMT[0]));
      const res = await fetch(`${server.url}/api/reports`, { method: 'POST', body: form });
      expect(res.status, await res.clone().text()).toBe(201);
      codes.push(((await res.json()) as { code: string }).code);
    }
    const [openCode, rejectedCode] = codes;
    const dispatcher = await apiLogin(server.url, DISPATCHER);
    await apiJson(server.url, dispatcher, 'POST', `/api/staff/reports/${rejectedCode}/actions`, { action: 'reject', reason: 'duplicate' });

    const page = await browser.newPage({ viewport: VIEWPORT });
    await uiLogin(page, server.url, DISPATCHER);
    await page.goto(`${server.url}/staff?tab=all&field=urban_order&status=received,rejected`);
    const openRow = page.locator(`tr[data-code="${openCode}"]`);
    const rejectedRow = page.locator(`tr[data-code="${rejectedCode}"]`);
    await openRow.waitFor();
    await rejectedRow.waitFor();
    await openRow.locator('input[type="checkbox"]').check();
    await rejectedRow.locator('input[type="checkbox"]').check();
    await page.locator('select[name="bulk-unit"]').selectOption(String(bmtUnitId));
    await page.getByRole('button', { name: 'Phân công', exact: true }).click();
    const error = page.getByTestId('bulk-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('Chưa có phản ánh nào được phân công');
    expect(await error.textContent()).toContain(rejectedCode);
    expect(await rejectedRow.getAttribute('class')).toContain('failed');
    await page.screenshot({ path: screenshotPath('staff-bulk-error.png') });
    // All or nothing: the assignable one was not assigned either.
    const still = (await (await fetch(`${server.url}/api/reports/${openCode}`)).json()) as { status: string };
    expect(still.status).toBe('received');
    await uiLogout(page);

    await uiLogin(page, server.url, LEADER);
    await page.locator('tbody tr[data-code] a').first().click();
    await page.getByTestId('reporter').waitFor();
    expect(await page.getByTestId('reporter').textContent()).toContain('ẩn đối với vai trò của bạn');
    expect(await page.locator('button[data-action]').count()).toBe(0);
    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => page.getByTestId('reporter').textContent()).toContain('hidden for your role');
    await waitForMap(page);
    await page.screenshot({ path: screenshotPath('staff-detail-leader-en.png') });
    await page.close();
  });
});
