import { i18n } from '../i18n.svelte.js';

/** Figures as the console writes them, in the interface language. */

export const pct = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '—' : `${i18n.number(v * 100, digits)}%`);

/** Hours under two days, days above: "36 h", "4,2 ngày". */
export function duration(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return '—';
  if (hours < 48) return i18n.t('console.unit.hours', { n: i18n.number(hours, hours < 10 ? 1 : 0) });
  return i18n.t('console.unit.days', { n: i18n.number(hours / 24, 1) });
}

export const count = (v: number | null | undefined) => (v === null || v === undefined ? '—' : i18n.number(v));

export type Trend = 'up' | 'down' | 'flat';
export interface Change {
  text: string;
  trend: Trend;
  /** Whether the change is good news (green) or bad (red); null when neutral. */
  good: boolean | null;
}

/** A change against the previous period, signed, with whether a rise is good. */
export function change(delta: number | null | undefined, kind: 'count' | 'rate' | 'hours' | 'points', higherIsBetter: boolean | null): Change | null {
  if (delta === null || delta === undefined) return null;
  const trend: Trend = Math.abs(delta) < 1e-9 ? 'flat' : delta > 0 ? 'up' : 'down';
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const abs = Math.abs(delta);
  const body =
    kind === 'rate'
      ? i18n.t('console.unit.pp', { n: i18n.number(abs * 100, 1) })
      : kind === 'hours'
        ? duration(abs)
        : kind === 'points'
          ? i18n.number(abs, 1)
          : i18n.number(abs);
  const good = trend === 'flat' || higherIsBetter === null ? null : (trend === 'up') === higherIsBetter;
  return { text: `${sign}${body}`, trend, good };
}

export function clock(at: number | Date | null): string {
  if (at === null) return '—';
  return new Intl.DateTimeFormat(i18n.locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Asia/Ho_Chi_Minh' }).format(at);
}

export function shortDay(date: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}
