/**
 * Months as the league API spells them, YYYY-MM. The league counts by local
 * dates in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), so "this month" here
 * is Vietnam's, whatever the reader's clock says.
 */

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isMonth(value: string | null | undefined): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/** The month `delta` months after `month` (before, when negative). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The current month in Vietnam. */
export function vnMonth(now = Date.now()): string {
  return new Date(now + 7 * 3_600_000).toISOString().slice(0, 7);
}

/** The last day of a month, YYYY-MM-DD (the API's window ends at the next month's first day, exclusive). */
export function lastDay(month: string): string {
  const next = shiftMonth(month, 1);
  return new Date(Date.parse(`${next}-01T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
