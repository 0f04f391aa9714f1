import type { LeagueShare } from '../api.js';
import { i18n } from '../i18n.svelte.js';

/** Figures of the league table as the page writes them, in the interface language. */

/** "Tháng 11/2026" in Vietnamese (how officials write it), "November 2026" in English. */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const name = new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
  return i18n.t('league.monthLabel', { m, y, name });
}

export { caseDate } from '../dates.js';

const percent = (v: number) => i18n.number(v * 100);

/** A rate and its 95% interval, "94%" and "85–98", or null where the sample is too small to say. */
export function shareText(share: LeagueShare): { rate: string; range: string } | null {
  if (!share.enough || share.rate === null) return null;
  const range = share.low !== null && share.high !== null ? `${percent(share.low)}–${percent(share.high)}` : '';
  return { rate: `${percent(share.rate)}%`, range };
}

/** How many of a rate's cases were on time and late; the API sends the rate (4 digits), which is exact enough to count back. */
export function splitShare(share: LeagueShare): { yes: number; no: number } {
  const yes = share.rate === null ? 0 : Math.round(share.rate * share.n);
  return { yes, no: share.n - yes };
}

/** The satisfaction index (0–100) and its interval, whole numbers: a decimal would claim a precision the interval denies. */
export function indexText(row: { index: number | null; index_low: number | null; index_high: number | null; enough: boolean }) {
  if (!row.enough || row.index === null) return null;
  const range = row.index_low !== null && row.index_high !== null ? `${i18n.number(row.index_low)}–${i18n.number(row.index_high)}` : '';
  return { index: i18n.number(row.index), range };
}
