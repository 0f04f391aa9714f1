import { i18n } from '../i18n.svelte.js';

/** A date (and time) in the reader's language, e.g. "14:05, 03/02/2026". */
export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'long' }).format(new Date(iso));
}
