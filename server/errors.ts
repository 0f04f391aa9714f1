import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './log.js';
import { DEFAULT_LANG, isMessageKey, msg, render, type Lang, type Message, type Text } from './messages.js';

/** Field name → human-readable message, as sent to clients. */
export type FieldErrors = Record<string, string>;

/** Field name → message in no language yet: written in the reader's when the reply is. */
export type FieldTexts = Record<string, Text>;

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors };
}

/**
 * Every code a client can get in an error body, with its HTTP status: the one place a status is chosen.
 * Services and routes throw a code; they never pick a number. A code means one thing everywhere, so it
 * has one status: a point outside the province is 422 whether it was posted or looked up.
 */
export const ERROR_STATUS = {
  // The request is wrong as written.
  validation_failed: 400,
  consent_required: 400,
  spam_suspected: 400,
  invalid_file: 400,
  invalid_confirmation: 400,
  crs_mismatch: 400,
  unsupported_crs: 400,
  wrong_crs: 400,
  // Who is asking.
  unauthenticated: 401,
  invalid_credentials: 401,
  totp_required: 401,
  totp_invalid: 401,
  forbidden: 403,
  csrf_failed: 403,
  invalid_token: 403,
  password_change_required: 403,
  totp_enrolment_required: 403,
  not_found: 404,
  // The state of things does not allow it now.
  invalid_transition: 409,
  stale_report: 409,
  report_finished: 409,
  not_resolved: 409,
  duplicate_report: 409,
  request_in_progress: 409,
  self_lockout: 409,
  totp_already_enabled: 409,
  totp_not_enabled: 409,
  totp_not_pending: 409,
  totp_required_for_role: 409,
  // Size and kind of what was sent.
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  heic_unsupported: 415,
  video_unavailable: 415,
  range_not_satisfiable: 416,
  // Well formed, but not something we can act on.
  outside_region: 422,
  features_rejected: 422,
  nothing_to_import: 422,
  idempotency_key_reused: 422,
  // Slow down.
  too_many_attempts: 429,
  rate_limited: 429,
  // Ours, not the client's.
  internal_error: 500,
  query_timeout: 503,
  not_built: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * A failure the client can act on. Services throw these with a code; the app writes them as HTTP once, here.
 * `message` and `fields` are the English text (logs, Open311); the reply is written in the reader's language.
 */
export class DomainError extends Error {
  readonly status: ContentfulStatusCode;
  readonly fields?: FieldErrors;

  constructor(
    readonly code: ErrorCode,
    readonly text: Text,
    readonly fieldTexts?: FieldTexts,
  ) {
    super(render('en', text));
    this.name = 'DomainError';
    this.status = ERROR_STATUS[code];
    if (fieldTexts) this.fields = Object.fromEntries(Object.entries(fieldTexts).map(([k, v]) => [k, render('en', v)]));
  }

  /** The request's body was refused before it was read whole: the reply closes the connection, which discards the rest. */
  closeConnection = false;

  /** Headers the reply must carry (Content-Range with a 416). */
  headers?: Record<string, string>;

  /** The error as the JSON body, in a language. */
  body(lang: Lang): ErrorBody {
    const fields = this.fieldTexts && Object.fromEntries(Object.entries(this.fieldTexts).map(([k, v]) => [k, render(lang, v)]));
    return errorBody(this.code, render(lang, this.text), fields);
  }
}

export const notFound = (what: string | Message) =>
  new DomainError('not_found', typeof what === 'string' ? `${what} not found` : what);
export const outsideRegion = () => new DomainError('outside_region', msg('area.outside_region'));
export const validationFailed = (fields: FieldTexts) => new DomainError('validation_failed', msg('error.validation_failed'), fields);

interface ZodIssueLike {
  path: readonly PropertyKey[];
  message: string;
  minimum?: unknown;
  maximum?: unknown;
}

/**
 * One message per field. A schema whose message is a catalogue key (server/messages.ts)
 * gets it in the reader's language, with the field's name and the issue's bounds.
 */
export function zodFieldErrors(error: { issues: readonly ZodIssueLike[] }): FieldTexts {
  const fields: FieldTexts = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    if (fields[key] !== undefined) continue;
    fields[key] = isMessageKey(issue.message)
      ? msg(issue.message, { field: String(issue.path.at(-1) ?? key), min: String(issue.minimum ?? ''), max: String(issue.maximum ?? '') })
      : issue.message;
  }
  return fields;
}

export function errorBody(code: ErrorCode | 'http_error' | 'unauthorized', message: string, fields?: FieldErrors): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** The reader's language, negotiated by the language middleware; Vietnamese for what failed before it ran. */
export function langOf(c: Context): Lang {
  const lang = c.get('language') as unknown;
  return lang === 'vi' || lang === 'en' ? lang : DEFAULT_LANG;
}

/** The app-wide error handler: known errors get their status and shape; anything else is logged and hidden. */
export function handleError(logger: Logger) {
  return (err: Error, c: Context) => {
    const lang = langOf(c);
    if (err instanceof DomainError) {
      if (err.closeConnection) c.header('Connection', 'close');
      for (const [name, value] of Object.entries(err.headers ?? {})) c.header(name, value);
      return c.json(err.body(lang), err.status);
    }
    // PostgreSQL cancelled a statement past DB_STATEMENT_TIMEOUT_MS (57014): the database is busy, not the request wrong.
    if ((err as { code?: unknown }).code === '57014') {
      logger.warn({ err, method: c.req.method, path: c.req.path }, 'statement timed out');
      c.header('Retry-After', '5');
      return c.json(errorBody('query_timeout', render(lang, msg('error.query_timeout'))), ERROR_STATUS.query_timeout);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'http_error';
      return c.json(errorBody(code, err.message || 'Request failed'), status);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', render(lang, msg('error.internal'))), ERROR_STATUS.internal_error);
  };
}
