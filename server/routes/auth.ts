import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppDeps } from '../app.js';
import { DomainError } from '../errors.js';
import { login, logout } from '../services/auth.js';
import { LoginBody } from './auth.schema.js';
import { rateLimit, requestAddress } from './rate-limit.js';
import { requireStaff, sessionCookie, type StaffEnv } from './session.js';
import { validate } from './validate.js';

export const authRoutes = (deps: AppDeps) => {
  const cookie = sessionCookie(deps);
  return new Hono<StaffEnv>()
    .post('/login', rateLimit(deps, 'login'), validate('json', LoginBody), async (c) => {
      const { username, password } = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      try {
        const session = await login(deps.db, {
          // Behind a trusted proxy the socket is the proxy's; the failure backoff must count the real client.
          username, password, ip: requestAddress(c, deps.config.rateLimits.trustProxy), userAgent: c.req.header('User-Agent') ?? null, previousToken: getCookie(c, cookie.name),
        });
        setCookie(c, cookie.name, session.token, { httpOnly: true, sameSite: 'Lax', secure: cookie.secure, path: '/' });
        return c.json({ user: session.user, csrf_token: session.csrfToken });
      } catch (error) {
        if (error instanceof DomainError && error.status === 429) c.header('Retry-After', error.fields?.retry_after ?? '60');
        throw error;
      }
    })
    .post('/logout', requireStaff(deps), async (c) => {
      await logout(deps.db, c.var.staff);
      deleteCookie(c, cookie.name, { path: '/', secure: cookie.secure });
      return c.json({ ok: true });
    })
    .get('/me', requireStaff(deps), (c) => {
      const s = c.var.staff;
      return c.json({
        user: { id: s.userId, username: s.username, display_name: s.displayName, role: s.role, unit_id: s.unitId, unit: s.unitName },
        csrf_token: s.csrfToken,
      });
    });
};
