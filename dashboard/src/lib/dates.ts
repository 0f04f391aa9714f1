import { i18n } from './i18n.svelte.js';

/**
 * A calendar date (YYYY-MM-DD) as dd/mm/yyyy, as Vietnamese offices write it (and en-GB). Read as UTC so the
 * browser's own zone can never move it a day.
 */
export function calendarDay(date: string | null | undefined): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}
