import { ApiError, ApiFieldError } from '../api.js';
import { i18n, type MessageKey } from '../i18n.svelte.js';

export { dateTime, shortDate } from '../dates.js';

/** "in 3 days" / "2 hours ago", for deadlines. */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(i18n.locale, { numeric: 'auto' });
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 2 * 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

/** A value for <input type="datetime-local"> in Vietnam time (UTC+7, no daylight saving). */
export function toLocalInput(iso: string | null | undefined): string {
  const d = iso ? new Date(iso) : new Date(Date.now() + 3 * 86_400_000);
  return new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16);
}

/** Reads <input type="datetime-local"> as Vietnam time and returns ISO 8601 with its offset. */
export function fromLocalInput(value: string): string {
  return `${value}:00+07:00`;
}

/** Colours per SLA state: green on track, amber due soon, red overdue, dark red far overdue. */
export const SLA_COLORS: Record<string, { bg: string; fg: string; border: string }> = {
  on_track: { bg: '#dcfce7', fg: '#166534', border: '#86efac' },
  due_soon: { bg: '#fef3c7', fg: '#92400e', border: '#fcd34d' },
  overdue: { bg: '#fee2e2', fg: '#991b1b', border: '#fca5a5' },
  late_3x: { bg: '#7f1d1d', fg: '#ffffff', border: '#7f1d1d' },
  met: { bg: '#e0f2fe', fg: '#075985', border: '#7dd3fc' },
  missed: { bg: '#f3e8ff', fg: '#6b21a8', border: '#d8b4fe' },
  none: { bg: '#f1f5f9', fg: '#475569', border: '#cbd5e1' },
};

/** A name in the current language, where either may be missing (joined rows). */
export function nameOf(x: { name_vi: string | null; name_en: string | null } | null | undefined): string {
  if (!x) return '—';
  return (i18n.lang === 'vi' ? x.name_vi : x.name_en) ?? x.name_vi ?? x.name_en ?? '—';
}

/** A label from a family of keys, falling back to the raw value for one the tables do not know. */
const labelOf = (prefix: string) => (value: string): string => i18n.t(`${prefix}.${value}` as MessageKey) ?? value;
export const statusLabel = labelOf('staff.status');
export const slaLabel = labelOf('staff.sla');
export const roleLabel = labelOf('staff.role');
export const actionLabel = labelOf('staff.action');
export const eventLabel = labelOf('staff.event');
/** Reject reasons are codes; free-text reasons pass through. */
export const reasonLabel = (reason: string) =>
  ['spam', 'duplicate', 'out_of_scope', 'insufficient_info'].includes(reason) ? i18n.t(`staff.reject.${reason}` as MessageKey) : reason;

/** What to tell a person about a failed request, in their language, with the server's detail when it helps. */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return i18n.t('staff.error.network');
  switch (error.code) {
    case 'stale_report': return i18n.t('staff.error.stale');
    case 'invalid_transition': return i18n.t('staff.error.transition', { detail: error.message });
    case 'forbidden': return i18n.t('staff.error.forbidden');
    case 'csrf_failed': return i18n.t('staff.error.csrf');
    case 'not_found': return i18n.t('staff.error.notFound');
    case 'unauthenticated': return i18n.t('staff.error.session');
    case 'self_lockout': return i18n.t('staff.error.selfLockout');
  }
  if (error instanceof ApiFieldError && Object.keys(error.fields).length) {
    return `${i18n.t('staff.error.invalid')} ${Object.entries(error.fields).map(([k, v]) => `${k}: ${v}`).join('; ')}`;
  }
  return i18n.t('staff.error.generic', { detail: error.message });
}
