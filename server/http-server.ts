import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/**
 * Limits of the Node HTTP server, so that no client can hold a socket or
 * memory without end. Chosen for citizens on slow mobile links:
 * - maxHeaderSize 16 KiB: a browser's request with our cookies is under 2 KiB;
 *   larger headers answer 431.
 * - headersTimeout 20 s: the request line and headers are a few hundred bytes,
 *   which even a poor 3G link sends in well under a second; a client dripping
 *   them is closed.
 * - requestTimeout 30 min: the whole request, body included. The largest
 *   upload (80 MB) takes ~28 min at 384 kbit/s, a poor 3G uplink, so a real
 *   citizen is never cut off; a body that takes longer is abandoned (408).
 * - socket idle timeout 2 min: a connection that sends and receives nothing
 *   for that long is closed, so a stalled upload frees its socket long before
 *   the request timeout (the live event stream writes a ping every 15 s).
 * - keepAliveTimeout 15 s, below headersTimeout as Node asks: an idle
 *   keep-alive socket is closed after it. A proxy in front must close idle
 *   upstream connections sooner (nginx: `keepalive_timeout 10s` in the upstream).
 * - connectionsCheckingInterval 1 s: how often Node enforces the two request
 *   timeouts (30 s by default, which would stretch them by as much).
 */
export const HTTP_LIMITS = {
  maxHeaderSize: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 30 * 60_000,
  idleSocketTimeoutMs: 2 * 60_000,
  keepAliveTimeoutMs: 15_000,
  connectionsCheckingIntervalMs: 1_000,
};

export type HttpLimits = typeof HTTP_LIMITS;

/** Serves `fetch` on host:port with the limits above; resolves once it listens. */
export function listenHttp(
  fetch: (request: Request) => Response | Promise<Response>, where: { port: number; hostname: string }, limits: HttpLimits = HTTP_LIMITS,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch,
      port: where.port,
      hostname: where.hostname,
      serverOptions: {
        maxHeaderSize: limits.maxHeaderSize,
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      },
    }, (info) => resolve({ server, port: info.port })) as Server;
    server.setTimeout(limits.idleSocketTimeoutMs);
    server.once('error', reject);
  });
}

export function serverPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
