import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppDeps } from '../deps.js';
import type { RateLimitScope } from '../config.js';
import { consumeRateLimit, RateLimited, type Requester } from '../services/rate-limit.js';

/** What a request with no address at all (driven in-process, as in tests) is counted as: one shared bucket. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 included),
 * IPv6 by its /64, since one subscriber usually holds a whole /64.
 * Undefined for anything that is not an address.
 *
 * @example addressKey('2001:db8:1:2:aa::1') === '2001:db8:1:2::/64'
 */
export function addressKey(raw: string): string | undefined {
  let s = raw.trim();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.toLowerCase().startsWith('::ffff:') && isIPv4(s.slice(7))) s = s.slice(7);
  if (isIPv4(s)) return s;
  if (!isIPv6(s)) return undefined;
  const groupsOf = (part: string) => (part ? part.split(':') : []);
  const [head = '', tail] = s.split('::');
  let groups = groupsOf(head);
  if (tail !== undefined) {
    const rest = groupsOf(tail);
    // An embedded IPv4 tail takes two groups.
    const restWidth = rest.length + (rest.at(-1)?.includes('.') ? 1 : 0);
    groups = [...groups, ...Array<string>(8 - groups.length - restWidth).fill('0'), ...rest];
  }
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/**
 * The requester's address: the socket's, or, behind `trustProxy` proxies,
 * the X-Forwarded-For entry the outermost trusted proxy appended (entries
 * further left are whatever the client chose to send).
 */
export function requestAddress(c: Context, trustProxy: number): string {
  const socket = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
  if (trustProxy > 0) {
    const entries = (c.req.header('X-Forwarded-For') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    const entry = entries.length >= trustProxy ? entries[entries.length - trustProxy] : entries[0];
    const key = entry ? addressKey(entry) : undefined;
    if (key) return key;
  }
  return (socket && addressKey(socket)) ?? UNKNOWN_ADDRESS;
}

const DEVICE_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The dashboard's per-install random id (X-Device-Id); a malformed one counts as none. */
export function deviceId(c: Context): string | undefined {
  const id = c.req.header('X-Device-Id')?.trim();
  return id && DEVICE_ID.test(id) ? id : undefined;
}

/** The address and device of a request, as the limits count them. */
export function requester(c: Context, deps: AppDeps): Requester {
  const device = deviceId(c);
  return { ip: requestAddress(c, deps.config.rateLimits.trustProxy), ...(device ? { client: `device:${device}` } : {}) };
}

/** Who sent a report, for the duplicate check and abuse marks; undefined when nothing identifies them. */
export function submitterKey(who: Requester): string | undefined {
  if (who.client) return who.client;
  return who.ip === UNKNOWN_ADDRESS ? undefined : `ip:${who.ip}`;
}

/** Counts the request and answers 429 with Retry-After once a limit is reached; nothing when limits are off. */
export async function enforceRateLimit(c: Context, deps: AppDeps, scope: RateLimitScope, who: Partial<Requester>): Promise<void> {
  if (!deps.config.rateLimits.enabled) return;
  try {
    await consumeRateLimit(deps.db, deps.config.rateLimits.scopes, scope, who, deps.now?.());
  } catch (error) {
    if (error instanceof RateLimited) {
      c.header('Retry-After', String(error.retryAfter));
      c.header('Cache-Control', 'no-store');
    }
    throw error;
  }
}

/** Middleware: the scope's limits per address and per device, checked before the body is read. */
export const rateLimit = (deps: AppDeps, scope: RateLimitScope) =>
  createMiddleware(async (c, next) => {
    await enforceRateLimit(c, deps, scope, requester(c, deps));
    await next();
  });
