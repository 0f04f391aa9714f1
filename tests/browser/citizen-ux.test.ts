import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, waitForMap, watchPage, type TestServer } from './harness.js';

/** Central Buôn Ma Thuột. */
const BMT = { lat: 12.6667, lon: 108.0383 };
const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 800 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const DESKTOP: BrowserContextOptions = { viewport: { width: 1920, height: 1080 } };
const SIZES = [
  ['360x800', PHONE],
  ['1920x1080', DESKTOP],
] as const;

/** The form with a field and a pin already chosen (the assistant's pre-fill link), so every step shows. */
const FILLED_FORM = `/?field=road&lat=${BMT.lat}&lon=${BMT.lon}&title=${encodeURIComponent('Ổ gà lớn trên đường Lê Duẩn')}&description=${encodeURIComponent('Mặt đường vỡ một mảng lớn, xe máy đi qua rất nguy hiểm.')}`;

interface Hit {
  ok: boolean;
  /** What elementFromPoint found at the control's centre. */
  hit: string;
  /** Whether the assistant's button overlaps any part of the control. */
  underFab: boolean;
  inView: boolean;
}

/** Is the control itself what a tap at its centre reaches, and is it clear of the assistant's button? */
function hitTest(control: Locator): Promise<Hit> {
  return control.evaluate((el) => {
    const describe = (e: Element | null) => (e ? `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}[${e.getAttribute('data-testid') ?? ''}] "${(e.textContent ?? '').trim().slice(0, 30)}"` : 'nothing');
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    const fab = document.querySelector('[data-testid="assistant-open"]')?.getBoundingClientRect();
    const underFab = !!fab && fab.left < r.right && r.left < fab.right && fab.top < r.bottom && r.top < fab.bottom;
    const inView = r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
    return { ok: !!hit && (hit === el || el.contains(hit)), hit: describe(hit), underFab, inView };
  });
}

async function expectClear(control: Locator, what: string) {
  const result = await hitTest(control);
  expect(result, what).toMatchObject({ ok: true, underFab: false, inView: true });
}

async function newPage(browser: Browser, options: BrowserContextOptions, lang: 'vi' | 'en' = 'vi'): Promise<Page> {
  const context = await browser.newContext({ ...options, locale: lang === 'vi' ? 'vi-VN' : 'en-GB' });
  await context.addInitScript((l) => localStorage.setItem('civic-ops.lang', l), lang);
  const page = await context.newPage();
  return page;
}

async function mapSettled(page: Page) {
  await page.waitForFunction(() => {
    const map = window.__map;
    return !!map && !map.isMoving() && map.loaded();
  });
}

/**
 * Area names and hexagon counts drawn by deck.gl on the public map must not
 * overlap, and the whole province must be in view clear of the filter panel.
 */
async function expectLabelsClearOfCounts(page: Page, size: string) {
  await mapSettled(page);
  await page.waitForTimeout(500);
  const found = await page.evaluate(() => {
    const map = window.__map! as unknown as { __deck: { props: { layers: { id: string; props: { data: unknown[]; visible?: boolean; getSize?: number; fontWeight?: number } }[] } } };
    const layers = map.__deck.props.layers;
    const m = window.__map!;
    const ctx = document.createElement('canvas').getContext('2d')!;
    const box = (position: [number, number], text: string, size: number, weight: number) => {
      ctx.font = `${weight} ${size}px "Noto Sans", "DejaVu Sans", Arial, sans-serif`;
      const p = m.project(position);
      const w = ctx.measureText(text).width;
      return { text, left: p.x - w / 2, right: p.x + w / 2, top: p.y - size * 0.6, bottom: p.y + size * 0.6 };
    };
    const counts = (layers.find((l) => l.id === 'report-hex-counts')?.props.data ?? []) as { count: number; centre: [number, number] }[];
    const countBoxes = counts.map((c) => box(c.centre, String(c.count), 13, 700));
    const labelBoxes = layers
      .filter((l) => l.id.startsWith('labels-') && l.props.visible !== false)
      .flatMap((l) => (l.props.data as { text: string; position: [number, number] }[]).map((d) => box(d.position, d.text, l.props.getSize!, l.props.fontWeight!)));
    const clashes = labelBoxes.flatMap((a) =>
      countBoxes.filter((b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map((b) => `${a.text} × ${b.text}`),
    );
    // The province's extent, and what covers the map: the filter panel (the assistant's button floats over it too).
    const canvas = m.getCanvas().getBoundingClientRect();
    const panel = document.querySelector('[data-testid="map-panel"]')!.getBoundingClientRect();
    const sw = m.project([107.484, 12.161]);
    const ne = m.project([109.459, 13.695]);
    const province = { left: canvas.left + sw.x, right: canvas.left + ne.x, top: canvas.top + ne.y, bottom: canvas.top + sw.y };
    // The map credits, unfolded on a phone until the first drag, must not cover the province either. (On a wide
    // map they are one line in the corner, where the province's bounding box has only sea.)
    const unfolded = document.querySelector('.maplibregl-ctrl-attrib.maplibregl-compact-show');
    const credits = (unfolded ?? document.querySelector('.maplibregl-ctrl-attrib')!).getBoundingClientRect();
    const underCredits = !!unfolded && province.left < credits.right && credits.left < province.right && province.top < credits.bottom && credits.top < province.bottom;
    const inside = province.left >= canvas.left && province.right <= canvas.right && province.top >= canvas.top && province.bottom <= canvas.bottom;
    const underPanel = province.left < panel.right && panel.left < province.right && province.top < panel.bottom && panel.top < province.bottom;
    return { counts: countBoxes.length, labels: labelBoxes.length, clashes, province, panel: panel.toJSON(), credits: credits.toJSON(), inside, underPanel, underCredits };
  });
  await page.screenshot({ path: screenshotPath(`ux-map-labels-${size}.png`) });
  expect(found.counts, 'hexagon counts on screen').toBeGreaterThan(0);
  // On a wall-sized map there is room for names between the counts. On a phone's province overview the
  // counts may cover every name's spot (it depends on where the seeded reports fell), so none is required there.
  if (size !== '360x800') expect(found.labels, 'some area names still shown').toBeGreaterThan(0);
  expect(found.clashes).toEqual([]);
  // The whole province in view, and none of it under the panel or the credits.
  expect(found, JSON.stringify({ province: found.province, credits: found.credits })).toMatchObject({ inside: true, underPanel: false, underCredits: false });
}

describe('citizen UX', () => {
  let server: TestServer;
  let browser: Browser;
  /** A seeded report that is public and on the map. */
  let sample: { code: string; lon: number; lat: number };
  /** A seeded report the unit has answered. */
  let answered: string;

  beforeAll(async () => {
    server = await startServer({ seedReports: 300 });
    browser = await launchBrowser();
    const page = (await (await fetch(`${server.url}/api/reports?limit=1`)).json()) as { features: { properties: { code: string }; geometry: { coordinates: [number, number] } }[] };
    const f = page.features[0];
    sample = { code: f.properties.code, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
    const resolved = (await (await fetch(`${server.url}/api/reports?status=resolved,closed&limit=1`)).json()) as typeof page;
    answered = resolved.features[0].properties.code;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [size, options] of SIZES) {
    it(`keeps area names off hexagon counts and the assistant's button off the public map's controls at ${size}`, async () => {
      const page = await newPage(browser, options);
      const problems = watchPage(page, server.url);
      await page.goto(`${server.url}/map`);
      await waitForMap(page);
      // One visit for both checks: a map load is the costly part of this file.
      await expectLabelsClearOfCounts(page, size);
      const fab = page.getByTestId('assistant-open');
      await fab.waitFor();
      const toggle = page.getByTestId('map-panel').locator('button.toggle');
      if (options === PHONE) {
        await expectClear(toggle, 'filters button');
        await toggle.click();
        await expectClear(toggle, 'hide-filters button');
      }
      await page.screenshot({ path: screenshotPath(`ux-map-fab-${size}.png`) });

      // A report's card, opened from a shared link.
      await page.goto(`${server.url}/map?at=${sample.lat},${sample.lon},14&report=${sample.code}`);
      const card = page.getByTestId('report-card');
      await card.waitFor();
      await expectClear(card.locator('a.details'), '"details" in the report card');
      await expectClear(card.locator('button.close'), 'the card\'s close button');
      await page.screenshot({ path: screenshotPath(`ux-map-card-${size}.png`) });
      expect(problems.errors).toEqual([]);
      await page.context().close();
    });

    it(`keeps the assistant's button off the form's buttons at ${size}`, async () => {
      const page = await newPage(browser, options);
      await page.goto(`${server.url}${FILLED_FORM}`);
      const submit = page.getByTestId('submit');
      await submit.waitFor();
      await page.getByTestId('assistant-open').waitFor();
      // Where the person ends up after filling it in: the bottom of the page.
      await page.locator('.c-page').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await expectClear(submit, 'submit at the end of the form');
      await page.screenshot({ path: screenshotPath(`ux-form-end-${size}.png`) });
      // Every button and link on the way down, where a tap would meet it.
      const hidden = await page.evaluate(() => {
        const found: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>('main button, main a[href], main input, main textarea')) {
          if (el.closest('[inert]') || el.getClientRects().length === 0) continue;
          el.scrollIntoView({ block: 'center' });
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          const label = (el.closest('label') as HTMLElement | null) ?? el;
          if (!hit || !(hit === el || el.contains(hit) || label.contains(hit))) found.push(`${el.outerHTML.slice(0, 100)} under ${hit?.outerHTML.slice(0, 80)}`);
        }
        return found;
      });
      expect(hidden).toEqual([]);
      await page.context().close();
    });
  }

  it('scrolls the planning answer into view on a phone', async () => {
    const page = await newPage(browser, PHONE);
    await page.goto(`${server.url}/planning`);
    await waitForMap(page);
    await page.locator('#planning-coords').fill(`${BMT.lat}, ${BMT.lon}`);
    await page.locator('form.search button[type="submit"]').click();
    const card = page.getByTestId('planning-card');
    await card.waitFor();
    // Smooth scrolling takes a moment; the answer's heading and first lines must end up on screen.
    await expect
      .poll(async () => {
        const box = (await card.boundingBox())!;
        return box.y >= 0 && box.y + Math.min(box.height, 200) <= 800;
      }, { timeout: 30_000 })
      .toBe(true);
    await page.screenshot({ path: screenshotPath('ux-planning-answer-360x800.png') });
    await page.context().close();
  });

  it('keeps the private link as the main action after sending, lists it in /my, and puts the answer on top', async () => {
    const page = await newPage(browser, PHONE);
    await page.goto(`${server.url}${FILLED_FORM}`);
    await page.getByTestId('submit').click();
    const done = page.getByTestId('submit-done');
    await done.waitFor();
    const manageUrl = await page.getByTestId('manage-url').getAttribute('href');
    expect(manageUrl).toMatch(/token=/);
    // The main action opens the private page (where the rating is), not the public one.
    const primary = done.locator('.actions a.primary');
    expect(await primary.getAttribute('href')).toBe(manageUrl);
    // The private link can still be copied.
    expect(await done.locator('.manage button').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('ux-done-360x800.png'), fullPage: true });

    await page.goto(`${server.url}/my`);
    const item = page.getByTestId('my-reports').locator('li').first();
    await item.waitFor();
    const privateLink = item.getByTestId('my-private-link');
    const manage = new URL(manageUrl!, server.url);
    expect(await privateLink.getAttribute('href')).toBe(manage.pathname + manage.search);
    await expect.poll(() => privateLink.textContent()).toContain('token=');
    await page.screenshot({ path: screenshotPath('ux-my-360x800.png'), fullPage: true });

    await page.goto(`${server.url}/r/${answered}`);
    const answer = page.getByTestId('official-answer');
    await answer.waitFor();
    const order = await page.evaluate(() => {
      const top = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().top;
      return { answer: top('[data-testid="official-answer"]'), timeline: top('[data-testid="timeline"]'), description: top('.description') };
    });
    expect(order.answer).toBeLessThan(order.description);
    expect(order.answer).toBeLessThan(order.timeline);
    expect((await answer.textContent())!.trim().length).toBeGreaterThan(10);
    await page.screenshot({ path: screenshotPath('ux-tracking-answer-360x800.png') });
    await page.context().close();
  });

});
