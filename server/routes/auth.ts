import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../deps.js';
import { DomainError } from '../errors.js';
import {
  accountStatus, changeOwnPassword, confirmTotpEnrolment, disableTotp, login, logout, regenerateRecoveryCodes, sessionRestriction, startTotpEnrolment,
} from '../services/auth.js';
import { CodeBody, LoginBody, PasswordChangeBody, ReauthBody } from './auth.schema.js';
import { rateLimit, requestAddress } from './rate-limit.js';
import { requireStaff, sessionCookie, type StaffEnv } from './session.js';
import { validate } from './validate.js';

/**
 * Sign-in and the signed-in user's own account: password change and the TOTP
 * second factor. Every account route accepts a restricted session (one that
 * must change its password or enrol first), since these lift the restriction.
 */
export const authRoutes = (deps: AppDeps) => {
  const cookie = sessionCookie(deps);
  const account = requireStaff(deps, undefined, { allowRestricted: true });
  const mfaRequiredRoles = deps.config.mfaRequiredRoles;
  const accountDeps = { db: deps.db, logger: deps.logger, mfaRequiredRoles };
  // Behind a trusted proxy the socket is the proxy's; the failure backoff must count the real client.
  const ipOf = (c: Parameters<typeof requestAddress>[0]) => requestAddress(c, deps.config.rateLimits.trustProxy);
  return new Hono<StaffEnv>()
    .post('/login', rateLimit(deps, 'login'), validate('json', LoginBody), async (c) => {
      const { username, password, totp } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      try {
        const session = await login(deps.db, {
          username, password, totp, ip: ipOf(c), userAgent: c.req.header('User-Agent') ?? null, previousToken: getCookie(c, cookie.name),
          mfaRequiredRoles, logger: deps.logger,
        });
        setCookie(c, cookie.name, session.token, { httpOnly: true, sameSite: 'Lax', secure: cookie.secure, path: '/' });
        return c.json({ user: session.user, csrf_token: session.csrfToken, restriction: session.restriction });
      } catch (error) {
        if (error instanceof DomainError && error.status === 429) c.header('Retry-After', error.fields?.retry_after ?? '60');
        throw error;
      }
    })
    .post('/logout', account, async (c) => {
      await logout(deps.db, c.var.staff, new Date(), ipOf(c), deps.logger);
      deleteCookie(c, cookie.name, { path: '/', secure: cookie.secure });
      return c.json({ ok: true });
    })
    .get('/me', account, (c) => {
      const s = c.var.staff;
      return c.json({
        user: { id: s.userId, username: s.username, display_name: s.displayName, role: s.role, unit_id: s.unitId, unit: s.unitName },
        csrf_token: s.csrfToken,
        restriction: sessionRestriction(s, mfaRequiredRoles),
      });
    })
    .get('/account', account, async (c) => c.json(await accountStatus(deps.db, c.var.staff, mfaRequiredRoles)))
    .post('/password', account, validate('json', PasswordChangeBody), async (c) =>
      c.json(await changeOwnPassword(accountDeps, c.var.staff, c.req.valid('json'), ipOf(c))),
    )
    .post('/totp/enrol', account, validate('json', ReauthBody), async (c) =>
      c.json(await startTotpEnrolment(accountDeps, c.var.staff, c.req.valid('json').password, ipOf(c))),
    )
    .post('/totp/confirm', account, validate('json', CodeBody), async (c) =>
      c.json(await confirmTotpEnrolment(accountDeps, c.var.staff, c.req.valid('json').code, ipOf(c))),
    )
    .post('/totp/disable', account, validate('json', ReauthBody), async (c) =>
      c.json(await disableTotp(accountDeps, c.var.staff, c.req.valid('json').password, ipOf(c))),
    )
    .post('/totp/recovery-codes', account, validate('json', CodeBody), async (c) =>
      c.json(await regenerateRecoveryCodes(accountDeps, c.var.staff, c.req.valid('json').code, ipOf(c))),
    );
};
