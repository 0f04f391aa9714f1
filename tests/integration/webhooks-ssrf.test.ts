import dnsPromises from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPublicAddress } from '../../server/services/webhook-address.js';
import { deliverDue, dispatchOutbox } from '../../server/services/webhooks.js';
import { ENGINES, testApp, testDb } from './context.js';
import { createField, createStaff, createUnit, loginAs, reportForm } from './factories.js';

const SECRET = 'ssrf-test-secret-0123456789';

/** A loopback receiver that counts every request and remembers the Host header. */
async function receiver() {
  const hosts: string[] = [];
  const server = http.createServer((req, res) => {
    hosts.push(String(req.headers.host));
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, hosts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const REFUSED_URLS = [
  'http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://LOCALHOST./hook', 'http://2130706433/hook', 'http://0x7f.1/hook',
  'http://10.0.0.5/hook', 'http://172.16.3.4/hook', 'http://192.168.1.10/hook', 'http://100.64.0.7/hook', 'http://0.0.0.0/hook',
  'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://224.0.0.1/hook',
  'http://[::1]/hook', 'http://[::]/hook', 'http://[fe80::1]/hook', 'http://[fd00:ec2::254]/latest/meta-data/', 'http://[fc00::1]/hook',
  'http://[::ffff:127.0.0.1]/hook', 'http://[::ffff:a00:1]/hook', 'http://[2002:7f00:1::1]/hook', 'http://[ff02::1]/hook',
];

describe('public addresses', () => {
  it('refuses every non-public range and passes global unicast', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
      '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::7f00:1', 'not an ip']) {
      expect(isPublicAddress(ip), ip).toBe(false);
    }
    for (const ip of ['93.184.216.34', '8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPublicAddress(ip), ip).toBe(true);
  });
});

for (const engine of ENGINES) {
  describe(`webhook targets: public addresses only [${engine}]`, () => {
    afterEach(() => vi.restoreAllMocks());

    async function setup(env: NodeJS.ProcessEnv = {}) {
      const db = await testDb(engine);
      const { app } = testApp(db, env);
      const field = await createField(db);
      const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
      const admin = await loginAs(app, await createStaff(db, 'admin'));
      return { db, app, field, unitId, admin };
    }

    it('refuses loopback, private, link-local, CGNAT, multicast and metadata targets when saved, with a message on url', async () => {
      const { db, unitId, admin } = await setup();
      const before = (await db.selectFrom('webhooks').select('id').execute()).length;
      for (const url of REFUSED_URLS) {
        const res = await admin.request('/api/admin/webhooks', { json: { unit_id: unitId, url, secret: SECRET, events: ['report.created'] } });
        expect(res.status, url).toBe(400);
        const body = await res.json();
        expect(body.error.fields.url, url).toMatch(/^refused: (private address|cloud metadata address)/);
      }
      expect((await db.selectFrom('webhooks').select('id').execute()).length).toBe(before);

      // A public address is accepted, and cannot be changed into a private one afterwards.
      const ok = await admin.request('/api/admin/webhooks', { json: { unit_id: unitId, url: 'https://93.184.216.34/hook', secret: SECRET, events: ['report.created'], active: false } });
      expect(ok.status).toBe(201);
      const { id } = await ok.json();
      const moved = await admin.request(`/api/admin/webhooks/${id}`, { method: 'PUT', json: { unit_id: unitId, url: 'http://localhost:9/hook', events: ['report.created'], active: false } });
      expect(moved.status).toBe(400);
      expect((await db.selectFrom('webhooks').select('url').where('id', '=', id).executeTakeFirstOrThrow()).url).toBe('https://93.184.216.34/hook');
    });

    it('refuses at delivery a host that now resolves to a private address, logs it, and never contacts it', async () => {
      const { db, app, field, unitId } = await setup();
      const hook = await receiver();
      try {
        // As if the name pointed somewhere public when saved and was re-pointed at loopback since.
        const targets = [`http://localhost:${hook.port}/hook`, `http://127.0.0.1:${hook.port}/hook`];
        const ids = [];
        for (const url of targets) {
          ids.push((await db.insertInto('webhooks').values({ unit_id: unitId, url, secret: SECRET, events: ['report.created'] }).returning('id').executeTakeFirstOrThrow()).id);
        }
        await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) });
        while ((await dispatchOutbox(db)) > 0);
        const warnings: unknown[] = [];
        const logger = { warn: (obj: unknown) => warnings.push(obj) } as never;
        await deliverDue(db, logger, new Date(), { allowPrivate: false });
        expect(hook.hosts).toEqual([]);
        const rows = await db.selectFrom('webhook_deliveries').select(['webhook_id', 'attempts', 'last_status', 'last_error', 'delivered_at']).where('webhook_id', 'in', ids).execute();
        expect(rows).toHaveLength(2);
        for (const row of rows) expect(row).toMatchObject({ attempts: 1, last_status: null, last_error: 'refused: private address', delivered_at: null });
        expect(warnings).toHaveLength(2);

        // The delivery log shows admins the refusal, not anything of the target.
        const admin = await loginAs(app, await createStaff(db, 'admin'));
        const log = await (await admin.request(`/api/admin/webhook-deliveries?webhook=${ids[0]}`)).json();
        expect(log[0]).toMatchObject({ last_status: null, last_error: 'refused: private address' });

        // With WEBHOOK_ALLOW_PRIVATE the same deliveries go through.
        await deliverDue(db, undefined, new Date(Date.now() + 60_000), { allowPrivate: true });
        expect(hook.hosts.sort()).toEqual([`127.0.0.1:${hook.port}`, `localhost:${hook.port}`]);
      } finally {
        await hook.close();
      }
    });

    it('connects to the address it checked, not to a second answer from DNS', async () => {
      const { db, app, field, unitId } = await setup();
      const hook = await receiver();
      try {
        // rebind.test never resolves for real (.test is reserved): only the checked answer can reach the receiver.
        const real = dnsPromises.lookup;
        vi.spyOn(dnsPromises, 'lookup').mockImplementation(((host: string, opts: never) =>
          host === 'rebind.test' ? Promise.resolve([{ address: '127.0.0.1', family: 4 }]) : real(host, opts)) as never);
        await db.insertInto('webhooks').values({ unit_id: unitId, url: `http://rebind.test:${hook.port}/hook`, secret: SECRET, events: ['report.created'] }).execute();
        await app.request('/api/reports', { method: 'POST', body: reportForm({ field }) });
        while ((await dispatchOutbox(db)) > 0);
        await deliverDue(db, undefined, new Date(), { allowPrivate: true });
        expect(hook.hosts).toEqual([`rebind.test:${hook.port}`]);
      } finally {
        await hook.close();
      }
    });
  });
}
