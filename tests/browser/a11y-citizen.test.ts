import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshotPath, startServer, waitForMap, type TestServer } from './harness.js';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { viewport: { width: 360, height: 800 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true } as const;
const DESKTOP = { viewport: { width: 1920, height: 1080 } } as const;
/** Central Buôn Ma Thuột. */
const BMT = { lat: 12.6667, lon: 108.0383 };
const LANGS = ['vi', 'en'] as const;
const AXE_LANGS = LANGS.filter((l) => (process.env.AXE_LANGS ?? 'vi').split(',').includes(l));

interface CitizenPage {
  name: string;
  path: (code: string) => string;
  /** Pages with a map are checked once it has drawn. */
  map: boolean;
}

const PAGES: CitizenPage[] = [
  { name: 'form', path: () => '/', map: false },
  { name: 'form-map', path: () => '/?field=road', map: true },
  { name: 'form-filled', path: () => `/?field=road&lat=${BMT.lat}&lon=${BMT.lon}`, map: true },
  { name: 'map', path: () => '/map', map: true },
  { name: 'tracking', path: (code) => `/r/${code}`, map: true },
  { name: 'planning', path: () => '/planning', map: true },
  { name: 'my', path: () => '/my', map: false },
  { name: 'not-found', path: () => '/khong-co-trang-nay', map: false },
];

interface Finding {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page and returns its serious and critical violations. */
async function axeSerious(page: Page): Promise<Finding[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[]; failureSummary: string }[] }[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)}`) }));
  });
}

/** Every interactive element on screen smaller than 44 × 44 CSS px (WCAG 2.5.5), except links inside a sentence. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], [tabindex]:not([tabindex="-1"])';
    const small: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>(selector)) {
      if (el.closest('[inert], [aria-hidden="true"]')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      // A box or radio is reached through its label, which is the target a finger meets.
      const target = (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio') && el.closest('label')) || el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      // WCAG's inline exception: a link in running text is as tall as the line it sits in.
      const parentText = [...(el.parentElement?.childNodes ?? [])].some((n) => n !== el && n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (style.display === 'inline' && parentText) continue;
      if (r.width < 44 || r.height < 44) small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent || el.getAttribute('aria-label') || el.getAttribute('title') || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
    return small;
  });
}

/** Visible text set smaller than 14 px. */
async function smallText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const small = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (!el || !node.textContent!.trim() || el.closest('[inert], [aria-hidden="true"], script, style')) continue;
      const rect = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
      const size = parseFloat(style.fontSize);
      if (size < 14) small.add(`${size}px ${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${node.textContent!.trim().slice(0, 30)}"`);
    }
    return [...small];
  });
}

describe('citizen pages, accessibility', () => {
  let server: TestServer;
  let browser: Browser;
  let code: string;

  beforeAll(async () => {
    server = await startServer({ seedReports: 300, readyTimeoutMs: 400_000 });
    browser = await launchBrowser();
    const list = (await (await fetch(`${server.url}/api/reports?limit=1`)).json()) as { features: { properties: { code: string; title: string; field: string } }[] };
    code = list.features[0].properties.code;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(lang: 'vi' | 'en', target: CitizenPage, viewport: typeof PHONE | typeof DESKTOP = PHONE): Promise<Page> {
    // The app's CSP (rightly) refuses inline scripts; axe is injected as one.
    const context = await browser.newContext({ ...viewport, locale: lang === 'vi' ? 'vi-VN' : 'en-GB', bypassCSP: true });
    // The language as chosen on this device, and one report "filed" from it so /my has a row with its private link.
    await context.addInitScript(
      ([l, c]) => {
        localStorage.setItem('civic-ops.lang', l);
        localStorage.setItem('civic-ops.my-reports', JSON.stringify([{ code: c, title: 'Ổ gà', field: 'road', filedAt: '2026-01-05T08:00:00+07:00', manageUrl: `/r/${c}?token=demo-token-for-a11y` }]));
      },
      [lang, code] as const,
    );
    const page = await context.newPage();
    await page.goto(`${server.url}${target.path(code)}`);
    await page.locator('h1, main').first().waitFor();
    if (target.map) await waitForMap(page);
    // The page's own content, not a loading spinner: a visible heading, or the drawn map on pages without one (/planning).
    // Not the assistant's button: some pages have none, and its chunk lands with the page's (networkidle below).
    await page.locator('h1:visible, [data-map-ready="true"]').first().waitFor();
    // Let the last fetches (status badges, fields) land before judging the page.
    await page.waitForLoadState('networkidle');
    return page;
  }

  // Vietnamese only in CI: the two languages share every style, and each pass costs minutes of CI time.
  // AXE_LANGS=vi,en runs both. Touch targets are measured in the same page visits, on the phone, where
  // there is touch (a page load is the costly part).
  for (const lang of AXE_LANGS) {
    it(`has no serious or critical axe violations on any citizen page, and 44 × 44 px touch targets (${lang})`, async () => {
      const violations: Record<string, Finding[]> = {};
      const smallTargetsFound: Record<string, string[]> = {};
      for (const target of PAGES) {
        const page = await open(lang, target);
        const small = await smallTargets(page);
        if (small.length) smallTargetsFound[target.name] = small;
        violations[target.name] = await axeSerious(page);
        await page.screenshot({ path: screenshotPath(`a11y-${target.name}-${lang}-360x800.png`) });
        await page.context().close();
      }
      const found = Object.entries(violations).filter(([, v]) => v.length > 0);
      if (found.length) console.log(`axe (${lang}):\n${JSON.stringify(Object.fromEntries(found), null, 2)}`);
      if (Object.keys(smallTargetsFound).length) console.log(`small targets (${lang}):\n${JSON.stringify(smallTargetsFound, null, 2)}`);
      expect(Object.fromEntries(found)).toEqual({});
      expect(smallTargetsFound).toEqual({});
    }, 600_000);
  }

  it('sets no text on the form smaller than 14 px, and labels the map controls in the UI language', async () => {
    const report: Record<string, string[]> = {};
    // Each language once and each size once: the sizes come from shared styles, the labels from the language.
    for (const [lang, size, viewport] of [
      ['vi', '360x800', PHONE],
      ['en', '1920x1080', DESKTOP],
    ] as const) {
      const page = await open(lang, PAGES.find((p) => p.name === 'form-filled')!, viewport);
      // Scroll through, so everything has been laid out at least once.
      await page.locator('.c-page').evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      const small = await smallText(page);
      if (small.length) report[`${lang} ${size}`] = small;
      const zoomIn = await page.locator('.maplibregl-ctrl-zoom-in').getAttribute('aria-label');
      expect(zoomIn).toBe(lang === 'vi' ? 'Phóng to' : 'Zoom in');
      expect(await page.locator('.maplibregl-ctrl-zoom-out').getAttribute('aria-label')).toBe(lang === 'vi' ? 'Thu nhỏ' : 'Zoom out');
      await page.screenshot({ path: screenshotPath(`a11y-form-end-${lang}-${size}.png`) });
      if (lang === 'vi') {
        // Switched on the page, the map's own controls follow, not only the app's text.
        await page.locator('button[lang="en"]').first().click();
        await expect.poll(() => page.locator('.maplibregl-ctrl-zoom-in').getAttribute('aria-label')).toBe('Zoom in');
        expect(await page.locator('.maplibregl-ctrl-zoom-out').getAttribute('title')).toBe('Zoom out');
        expect(await page.locator('.maplibregl-canvas').getAttribute('aria-label')).toBe('Map');
      }
      await page.context().close();
    }
    if (Object.keys(report).length) console.log(`small text:\n${JSON.stringify(report, null, 2)}`);
    expect(report).toEqual({});
  }, 600_000);
});
