import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppDeps } from '../deps.js';
import { DomainError, validationFailed } from '../errors.js';
import { msg } from '../messages.js';
import { enforceRateLimit, requester } from './rate-limit.js';
import { sessionCookie } from './session.js';

/** Every body but an upload: JSON, forms. No route needs more than this. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Longer than any link the dashboard or an Open311 client makes (bbox, filters, cursor). */
export const MAX_URL_BYTES = 8 * 1024;

/**
 * Routes whose multipart uploads are capped by server/routes/multipart.ts
 * while it streams them to disk (per file, per request, per field), so they
 * may exceed MAX_BODY_BYTES. Only multipart bodies pass; JSON or a form sent
 * to them is held to the same 1 MB as everywhere else.
 */
const UPLOAD_ROUTES: RegExp[] = [
  /^\/api\/reports\/?$/,
  /^\/api\/staff\/reports\/[^/]+\/response\/?$/,
  /^\/open311\/v2\/requests(\.(json|xml))?\/?$/,
];

const isUpload = (c: Context) =>
  c.req.method === 'POST' && /^multipart\/form-data/i.test(c.req.header('content-type') ?? '') && UPLOAD_ROUTES.some((r) => r.test(c.req.path));

/** 413, rendered by the app's error handler in the shape of the API asked (ours, or Open311's). The connection closes, so a client still sending is cut off instead of drained. */
function tooLarge(): never {
  const error = new DomainError('payload_too_large', msg('error.body_too_large', { mb: MAX_BODY_BYTES / 1024 / 1024 }));
  error.closeConnection = true;
  throw error;
}

/**
 * The request with a body whose network failure (a phone losing its signal
 * mid-request) reads as a 400, like an upload cut off, instead of an
 * internal error from whichever code was reading it.
 */
function interruptionsAsRefusals(request: Request): Request {
  if (!request.body) return request;
  const reader = request.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.error(validationFailed({ _: msg('error.body_cut_off') }));
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 }); // read only when the route asks: a body refused on its declared length is never touched
  return new Request(request, { body, duplex: 'half' } as RequestInit);
}

const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

/**
 * Input limits of every request, before any route reads it: the URL's length
 * (414) and the body's size (413). A declared Content-Length over the limit
 * is refused before a byte is read; a chunked body is counted as it streams
 * and refused once it passes the limit, so no route ever holds more than
 * 1 MB of a body in memory. Header sizes and slow-request timeouts are the
 * Node server's (server/main.ts).
 */
export const requestLimits = () =>
  createMiddleware(async (c, next) => {
    // The raw URL: what a client sent, before any decoding shrinks it.
    if (c.req.url.length > MAX_URL_BYTES) {
      throw new DomainError('uri_too_long', msg('error.url_too_long', { kb: MAX_URL_BYTES / 1024 }));
    }
    if (isUpload(c)) return next();
    c.req.raw = interruptionsAsRefusals(c.req.raw);
    return limitBody(c, next);
  });

/**
 * Rate limits the figures (/api/stats/*, /api/events) for readers without a
 * staff session: wall displays with the display token, and anyone probing.
 * Staff sessions are left alone; a forged cookie still meets requireStaff's 401.
 */
export const anonymousReadLimit = (deps: AppDeps) =>
  createMiddleware(async (c, next) => {
    const display = c.req.header('X-Display-Token') ?? c.req.query('display_token');
    if (display || !getCookie(c, sessionCookie(deps).name)) await enforceRateLimit(c, deps, 'public_read', requester(c, deps));
    await next();
  });
