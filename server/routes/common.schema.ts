import { z } from 'zod';
import { messageKey as k } from '../messages.js';

/** The largest value of a PostgreSQL integer (int4), the type of every serial id. */
export const PG_INT_MAX = 2_147_483_647;

/**
 * A row id as JSON sends it. Bigger than int4 can never name a row, and
 * PostgreSQL answers such a bound value with an error rather than no rows.
 */
export const dbId = (message: string) => z.number({ error: message }).int(message).min(1, message).max(PG_INT_MAX, message);

/** The same, read from a query string or path. */
export const coercedDbId = (message: string) => z.coerce.number({ error: message }).int(message).min(1, message).max(PG_INT_MAX, message);

/**
 * A calendar date YYYY-MM-DD that PostgreSQL can store: ISO-8601 has a
 * year 0000, PostgreSQL's date type has none.
 */
export const isoDate = (message: string) => z.iso.date(message).refine((d) => Number(d.slice(0, 4)) >= 1, message);

/**
 * A page cursor as the API hands them out (next_cursor): base64url of
 * "<ISO instant from toISOString>|<row id>". Anything else is refused here,
 * at the edge, before it can become a date PostgreSQL cannot read (year 0,
 * +275760) or an id beyond bigint.
 */
export const cursor = z
  .string()
  .max(200, 'cursor is too long')
  .refine((value) => {
    const text = Buffer.from(value, 'base64url').toString('utf8');
    const m = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\|(\d{1,18})$/.exec(text);
    if (!m || Number(m[1]) < 1) return false;
    const instant = new Date(text.slice(0, 24));
    return !Number.isNaN(instant.getTime()) && instant.toISOString() === text.slice(0, 24);
  }, k('input.cursor'));

export const NUL_MESSAGE = 'must not contain the NUL character (U+0000) or a lone UTF-16 surrogate';

// A surrogate without its pair: JSON's \\udfff can carry one, and it has no UTF-8 form (PGlite fails on it; pg writes U+FFFD).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where the first string holding U+0000 or a lone surrogate sits in a parsed
 * input, as a field path. PostgreSQL text can store neither: such a value
 * fails as a query (or is silently changed), so it has to be refused as input.
 */
export function nulPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') || LONE_SURROGATE.test(value) ? path.join('.') || '_' : undefined;
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** For form schemas parsed outside validate() (multipart, Open311): the same refusal as a refinement. */
export function noNul(value: object, ctx: z.RefinementCtx) {
  const at = nulPath(value);
  if (at) ctx.addIssue({ code: 'custom', path: at === '_' ? [] : at.split('.'), message: `${at} ${NUL_MESSAGE}` });
}
