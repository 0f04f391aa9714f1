import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { Config } from '../config.js';
import { FIRST_VIEW_SCRIPT } from '../domain/first-view.js';

/** index.html's one inline script, allowed by its hash. */
const FIRST_VIEW_SCRIPT_HASH = `'sha256-${createHash('sha256').update(FIRST_VIEW_SCRIPT).digest('base64')}'`;

/**
 * Security headers for every response. The CSP allows what maplibre and
 * deck.gl need (their workers start from blob: URLs; canvases and tiles use
 * data:/blob: images), no foreign script, and no inline script but the one in
 * index.html's head, by its hash (server/domain/first-view.ts).
 */
export function securityHeaders(config: Config): MiddlewareHandler {
  const https = config.publicBaseUrl?.startsWith('https://') ?? false;
  const styleOrigin = config.mapStyleUrl ? new URL(config.mapStyleUrl).origin : undefined;
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", FIRST_VIEW_SCRIPT_HASH],
      workerSrc: ["'self'", 'blob:'],
      childSrc: ["'self'", 'blob:'],
      // Svelte and maplibre set style attributes; scripts stay strict.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:', ...(styleOrigin ? [styleOrigin] : [])],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", ...(styleOrigin ? [styleOrigin] : [])],
      manifestSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: https ? 'max-age=31536000; includeSubDomains' : false,
    referrerPolicy: 'strict-origin-when-cross-origin',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    // Open311 clients show our media_url images in their own apps.
    crossOriginResourcePolicy: false,
  });
}

/** CORS: the API only for configured origins; Open311 reads open to any client, as the standard expects. */
export function apiCors(config: Config): MiddlewareHandler {
  return cors({ origin: config.corsOrigins, credentials: true, allowHeaders: ['Content-Type', 'X-CSRF-Token', 'Idempotency-Key', 'X-Device-Id'] });
}

export const open311Cors = (): MiddlewareHandler => cors({ origin: '*', allowMethods: ['GET', 'POST'], allowHeaders: ['Content-Type', 'Idempotency-Key'] });
