import { i18n } from './i18n.svelte.js';

/**
 * A calendar date (YYYY-MM-DD) as dd/mm/yyyy, as Vietnamese offices write it (and en-GB). Read as UTC so the
 * browser's own zone can never move it a day.
 */
export function calendarDay(date: string | null | undefined): string {
  if (!date) return '—';
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/**
 * Instants are shown in Vietnam's time, whatever the device's zone says, as the units' records and the
 * staff pages write them: a report filed at 05:00 on the 4th is not "22:00 on the 3rd" on a phone set to UTC.
 */
const VIETNAM = 'Asia/Ho_Chi_Minh';

/** An instant as an office writes it: dd/mm/yyyy hh:mm. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: VIETNAM }).format(new Date(iso));
}

/** An instant's day and month, dd/mm, for tight table cells. */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', timeZone: VIETNAM }).format(new Date(iso));
}

/** An instant's day, dd/mm/yyyy. */
export function caseDate(iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: VIETNAM }).format(new Date(iso));
}

/** An instant with its time of day in the reader's language, e.g. "14:05 3 thg 2, 2026". */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: VIETNAM }).format(new Date(iso));
}

/** An instant's day in the reader's language, e.g. "3 tháng 2, 2026". */
export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'long', timeZone: VIETNAM }).format(new Date(iso));
}
