import type { Server } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS, listenHttp } from '../../server/http-server.js';
import { testApp, testDb } from './context.js';

/**
 * The Node server's own limits (server/http-server.ts), which main.ts's
 * workers listen with: header size and slow requests. They sit below the app
 * and do not depend on the engine, so this runs on the embedded one only.
 */
describe('HTTP server limits', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const { app } = testApp(await testDb('embedded'));
    ({ server, port } = await listenHttp(app.fetch, { port: 0, hostname: '127.0.0.1' }));
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  function exchange(write: (socket: net.Socket) => void | Promise<void>): Promise<{ text: string; closedAfterMs: number }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString(), closedAfterMs: Date.now() - started }));
      socket.on('connect', () => void Promise.resolve(write(socket)).catch(reject));
    });
  }

  it('answers 431 to headers over 16 KiB and serves headers below it', async () => {
    const big = await exchange((s) => void s.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`));
    expect(big.text).toMatch(/^HTTP\/1\.1 431 /);
    const fine = await exchange((s) => void s.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(12 * 1024)}\r\nConnection: close\r\n\r\n`));
    expect(fine.text).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes a connection that drips its headers past the headers timeout', async () => {
    let stop = false;
    const slow = await exchange(async (s) => {
      s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
      // A header line a second, forever: the socket is never idle, the headers never end.
      for (let i = 0; !stop && !s.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 1_000));
        if (!s.destroyed) s.write(`X-Drip-${i}: 1\r\n`);
      }
    });
    stop = true;
    expect(slow.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow.closedAfterMs).toBeGreaterThanOrEqual(HTTP_LIMITS.headersTimeoutMs - 1_000);
    expect(slow.closedAfterMs).toBeLessThan(HTTP_LIMITS.headersTimeoutMs + 5_000);
  }, 40_000);

  it('bounds the whole request and idle sockets, generously enough for an 80 MB upload on 3G', () => {
    expect(server.requestTimeout).toBe(HTTP_LIMITS.requestTimeoutMs);
    expect(server.headersTimeout).toBe(HTTP_LIMITS.headersTimeoutMs);
    expect(server.keepAliveTimeout).toBe(HTTP_LIMITS.keepAliveTimeoutMs);
    expect(server.timeout).toBe(HTTP_LIMITS.idleSocketTimeoutMs);
    // 80 MB at 384 kbit/s, a poor 3G uplink, must fit in the request timeout.
    expect((80 * 1024 * 1024 * 8) / 384_000 * 1000).toBeLessThan(HTTP_LIMITS.requestTimeoutMs);
  });
});
