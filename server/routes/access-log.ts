import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { AppDeps } from '../deps.js';
import type { StaffContext } from '../services/auth.js';
import { recordSecurityEvent, RefusalSampler } from '../services/security-events.js';
import { requestAddress } from './rate-limit.js';

type LogEnv = { Variables: { staff?: StaffContext; apiKeyId?: number } };

/** Sign-in failures are recorded by the login itself, with more to say than the status. */
const OWN_EVENTS = new Set(['/api/auth/login']);

/**
 * The pattern of the endpoint the request was for. After next(), routeIndex
 * is whatever answered; when that was a middleware mounted with use() (an
 * auth check refusing, say), the endpoint is the first method route after it.
 */
function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  return routes.slice(c.req.routeIndex).find((r) => r.method !== 'ALL')?.path ?? routes[c.req.routeIndex]?.path ?? '*';
}

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    return ((await res.clone().json()) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/**
 * One structured line per request (ASVS 5.0 V16.2): method, the route
 * pattern that matched (never the raw path, which may hold a manage token or
 * a report code, and never the query string), status, duration, the client's
 * address, and the staff member or API key when known. 401 and 403 refusals
 * also become security events, sampled (see RefusalSampler) so that a flood
 * of anonymous requests cannot fill the audit table.
 */
export const accessLog = (deps: AppDeps) => {
  const sampler = new RefusalSampler();
  return createMiddleware<LogEnv>(async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    const route = routePattern(c as unknown as Context);
    const ip = requestAddress(c as unknown as Context, deps.config.rateLimits.trustProxy);
    const staff = c.get('staff');
    const apiKeyId = c.get('apiKeyId');
    deps.logger.info({
      access: true, method: c.req.method, route, status, ms: Math.round((performance.now() - started) * 10) / 10, ip,
      ...(staff ? { staff_id: staff.userId } : {}), ...(apiKeyId !== undefined ? { api_key_id: apiKeyId } : {}),
    }, 'request');
    if ((status === 401 || status === 403) && !OWN_EVENTS.has(route)) {
      const code = (await errorCode(c.res)) ?? String(status);
      const suppressed = sampler.take(`${ip}|${code}`);
      if (suppressed === undefined) return;
      await recordSecurityEvent(deps.db, {
        action: 'access.refused', outcome: 'refused', actorId: staff?.userId ?? null, client: apiKeyId !== undefined ? `api_key:${apiKeyId}` : null, ip,
        target: { entity: 'route', id: `${c.req.method} ${route}` }, reason: code, detail: { status, ...(suppressed ? { suppressed_before: suppressed } : {}) },
      }, deps.logger).catch((err) => deps.logger.error({ err }, 'could not record a refusal'));
    }
  });
};
