import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The webhook endpoint of a unit's system: records every event id it is
 * sent. It stays up while the server crashes, so a delivery that never
 * arrives is the server's fault, not the receiver's.
 */
export async function startReceiver() {
  const counts = new Map<string, number>();
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.headers['x-civic-event-id'];
      if (typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
      res.writeHead(200).end('ok');
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received: counts as ReadonlyMap<string, number>,
    /** Resolves when every id has arrived, or false after timeoutMs. */
    waitFor(ids: string[], timeoutMs: number): Promise<boolean> {
      return new Promise((resolve) => {
        const check = () => {
          if (ids.every((id) => counts.has(id))) finish(true);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        const finish = (ok: boolean) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(ok);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
