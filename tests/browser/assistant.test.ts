import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, watchPage, type TestServer } from './harness.js';

const BMT = { lat: 12.6667, lon: 108.0383 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;

describe('assistant chat panel', () => {
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

  it('guides a filing and hands over to the pre-filled form, filing nothing itself', async () => {
    const context = await browser.newContext({ ...PHONE, locale: 'vi-VN' });
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation({ latitude: BMT.lat, longitude: BMT.lon });
    const page = await context.newPage();
    const problems = watchPage(page, server.url);
    await page.goto(`${server.url}/map`);

    await page.getByTestId('assistant-open').click();
    const panel = page.getByTestId('assistant-panel');
    await panel.waitFor();
    const replies = panel.locator('[data-from="assistant"]');
    const say = async (text: string) => {
      const before = await replies.count();
      await page.getByTestId('assistant-input').fill(text);
      await page.getByTestId('assistant-input').press('Enter');
      await expect.poll(() => replies.count(), { timeout: 30_000 }).toBe(before + 1);
      return (await replies.last().textContent()) ?? '';
    };

    expect(await say('Tôi muốn gửi phản ánh')).toContain('vấn đề gì');
    expect(await say('Đèn đường trước nhà bị hỏng mấy hôm nay')).toContain('Chiếu sáng công cộng');
    const before = await replies.count();
    await panel.getByRole('button', { name: 'Dùng vị trí của tôi' }).click();
    await expect.poll(() => replies.count(), { timeout: 30_000 }).toBe(before + 1);
    expect(await replies.last().textContent()).toContain('chi tiết');
    expect(await say('Buổi tối tối om, người đi đường dễ bị ngã')).toContain('không tự gửi');
    await page.screenshot({ path: screenshotPath('assistant-1-chat.png') });

    await panel.getByTestId('assistant-action').click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/');
    const q = new URL(page.url()).searchParams;
    expect(q.get('field')).toBe('lighting');
    expect(q.get('lat')).toBe(BMT.lat.toFixed(6));

    await page.getByTestId('prefilled').waitFor();
    await expect.poll(() => page.getByTestId('chosen-field').textContent()).toContain('Chiếu sáng');
    expect(await page.inputValue('#in-title')).toBe('Đèn đường trước nhà bị hỏng mấy hôm nay');
    expect(await page.inputValue('#in-description')).toBe('Đèn đường trước nhà bị hỏng mấy hôm nay. Buổi tối tối om, người đi đường dễ bị ngã');
    await page.getByTestId('pin-ward').waitFor();
    await page.screenshot({ path: screenshotPath('assistant-2-prefilled-form.png') });
    await page.locator('#step-text').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('assistant-3-prefilled-text.png') });
    // Handed over, not sent: the tracking code only comes after the person presses send.
    expect(await page.getByTestId('tracking-code').count()).toBe(0);

    // The form's own field suggestion reacts to what is typed.
    await page.fill('#in-description', 'Rác thải đổ đống, xe rác không đến thu gom');
    await page.getByTestId('field-suggestion').waitFor();
    expect(await page.getByTestId('field-suggestion').getAttribute('data-field')).toBe('waste');

    expect(problems.errors).toEqual([]);
    await context.close();
  });

  it('answers a status question with a link to the tracking page, in English too', async () => {
    const form = new FormData();
    form.set('field', 'road');
    form.set('title', 'Ổ gà trước trường học');
    form.set('description', 'Ổ gà sâu, học sinh đi xe đạp dễ ngã.');
    form.set('lat', String(BMT.lat));
    form.set('lon', String(BMT.lon));
    form.set('phone', '0912345678');
    form.set('contact_consent', 'true');
    const created = (await (await fetch(`${server.url}/api/reports`, { method: 'POST', body: form })).json()) as { code: string };
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${server.url}/map`);
    await page.getByTestId('assistant-open').click();
    await page.getByTestId('assistant-input').fill(`what is the status of ${created.code}?`);
    await page.getByTestId('assistant-input').press('Enter');
    const action = page.getByTestId('assistant-action');
    await action.waitFor();
    const text = await page.getByTestId('assistant-log').textContent();
    expect(text).toContain(created.code);
    // Asked in English on the Vietnamese page: answered in English.
    expect(text).toContain('Assigned to a unit');
    expect(text).not.toContain('0912345678');
    await page.screenshot({ path: screenshotPath('assistant-4-status.png') });
    await action.click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/r/${created.code}`);
    await page.close();
  });
});
