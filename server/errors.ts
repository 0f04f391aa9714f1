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
 * A failure the client can act on. Services throw these; the app maps them to HTTP once, here.
 * `message` and `fields` are the English text (logs, Open311); the reply is written in the reader's language.
 */
export class DomainError extends Error {
  readonly fields?: FieldErrors;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly text: Text,
    readonly fieldTexts?: FieldTexts,
  ) {
    super(render('en', text));
    this.name = 'DomainError';
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
  new DomainError(404, 'not_found', typeof what === 'string' ? `${what} not found` : what);
export const outsideRegion = () => new DomainError(404, 'outside_region', msg('area.outside_region'));
export const validationFailed = (fields: FieldTexts) => new DomainError(400, 'validation_failed', msg('error.validation_failed'), fields);

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

export function errorBody(code: string, message: string, fields?: FieldErrors): ErrorBody {
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
      return c.json(errorBody('query_timeout', render(lang, msg('error.query_timeout'))), 503);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'http_error';
      return c.json(errorBody(code, err.message || 'Request failed'), status);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', render(lang, msg('error.internal'))), 500);
  };
}
