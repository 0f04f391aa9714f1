import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from './log.js';

/** Field name → human-readable message, as sent to clients. */
export type FieldErrors = Record<string, string>;

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors };
}

/** A failure the client can act on. Services throw these; the app maps them to HTTP once, here. */
export class DomainError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The request's body was refused before it was read whole: the reply closes the connection, which discards the rest. */
  closeConnection = false;
}

export const notFound = (what: string) => new DomainError(404, 'not_found', `${what} not found`);
export const outsideRegion = () =>
  new DomainError(404, 'outside_region', 'The point is outside Đắk Lắk province');
export const validationFailed = (fields: FieldErrors) =>
  new DomainError(400, 'validation_failed', 'Some fields are invalid', fields);

export function zodFieldErrors(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

export function errorBody(code: string, message: string, fields?: FieldErrors): ErrorBody {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** The app-wide error handler: known errors get their status and shape; anything else is logged and hidden. */
export function handleError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof DomainError) {
      if (err.closeConnection) c.header('Connection', 'close');
      return c.json(errorBody(err.code, err.message, err.fields), err.status);
    }
    // PostgreSQL cancelled a statement past DB_STATEMENT_TIMEOUT_MS (57014): the database is busy, not the request wrong.
    if ((err as { code?: unknown }).code === '57014') {
      logger.warn({ err, method: c.req.method, path: c.req.path }, 'statement timed out');
      c.header('Retry-After', '5');
      return c.json(errorBody('query_timeout', 'The database took too long to answer. Please try again in a moment.'), 503);
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const code = status === 413 ? 'payload_too_large' : status === 401 ? 'unauthorized' : 'http_error';
      return c.json(errorBody(code, err.message || 'Request failed'), status);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', 'Something went wrong on our side. Please try again.'), 500);
  };
}
