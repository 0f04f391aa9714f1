/**
 * Whether an instant can be bound on both engines. ISO-8601 lets
 * 9999-12-31T23:59:59-23:59 fall in the year 10000, which JavaScript writes
 * as +010000-…; PGlite passes that text on and PostgreSQL refuses it.
 */
export const inPgRange = (d: Date) => d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999;

const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO-8601 date or datetime, as Open311 clients, exports and
 * imports write them. A value without an offset is read as Đắk Lắk time
 * (+07:00), since that is what a person there means by it.
 */
export function parseOpen311DateTime(value: string): Date | undefined {
  const s = value.trim();
  if (!DATETIME.test(s)) return undefined;
  let iso = s.length === 10 ? `${s}T00:00:00` : s;
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += '+07:00';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  // Date rolls 2025-02-30 over into March; a date that does not exist is an error.
  const [y, m, day] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
  // An offset can push 9999-12-31 into the year 10000.
  if (!inPgRange(d)) return undefined;
  return m >= 1 && m <= 12 && day <= new Date(Date.UTC(y, m, 0)).getUTCDate() ? d : undefined;
}
