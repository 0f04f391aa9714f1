import crypto from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { AppDeps } from '../deps.js';
import type { StaffRole } from '../db/database.js';
import { DomainError } from '../errors.js';
import { authenticate, sessionRestriction, type StaffContext } from '../services/auth.js';

export type StaffEnv = { Variables: { staff: StaffContext } };

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/** Behind https the cookie takes the __Host- prefix: Secure, Path=/, no Domain, so no subdomain can set it. */
export function sessionCookie(deps: AppDeps) {
  const secure = deps.config.publicBaseUrl?.startsWith('https://') ?? false;
  return { name: secure ? '__Host-civic_session' : 'civic_session', secure };
}

export function clientIp(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const RESTRICTED: Record<NonNullable<ReturnType<typeof sessionRestriction>>, string> = {
  password_change_required: 'Change your password before anything else',
  totp_enrolment_required: 'Set up the second factor (authenticator app) before anything else',
};

/**
 * Requires a live staff session (and one of the roles, if given). Every
 * state-changing request must also echo the session's CSRF token in
 * X-CSRF-Token, which a cross-site form or image cannot do. A restricted
 * session (password change or TOTP enrolment pending) reaches only the
 * account endpoints, which pass `allowRestricted`.
 */
export const requireStaff = (deps: AppDeps, roles?: StaffRole[], opts: { allowRestricted?: boolean } = {}) =>
  createMiddleware<StaffEnv>(async (c, next) => {
    const token = getCookie(c, sessionCookie(deps).name);
    const staff = token ? await authenticate(deps.db, token) : undefined;
    if (!staff) throw new DomainError('unauthenticated', 'Please sign in');
    // Set before the checks below, so the access log and the refusal event name who was refused.
    c.set('staff', staff);
    if (!SAFE_METHODS.includes(c.req.method)) {
      const sent = c.req.header('X-CSRF-Token');
      if (!sent || !sameToken(sent, staff.csrfToken)) throw new DomainError('csrf_failed', 'Missing or invalid CSRF token; reload the page');
    }
    const restriction = sessionRestriction(staff, deps.config.mfaRequiredRoles);
    if (restriction && !opts.allowRestricted) throw new DomainError(restriction, RESTRICTED[restriction]);
    if (roles && !roles.includes(staff.role)) throw new DomainError('forbidden', `This needs one of the roles: ${roles.join(', ')}`);
    c.header('Cache-Control', 'no-store');
    await next();
  });
