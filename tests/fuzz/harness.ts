import crypto from 'node:crypto';
import { z, type ZodType } from 'zod';
import fc from 'fast-check';
import type { Hono, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database.js';
import { insertSession } from '../../server/db/staff.repo.js';
import { ResponseForm } from '../../server/routes/staff.schema.js';
import { NewReportForm } from '../../server/routes/reports.schema.js';
import { PostRequestForm, PostUpdateForm } from '../../server/routes/open311.schema.js';
import { validatorSchemas } from '../../server/routes/validate.js';
import { sessionHash } from '../../server/services/auth.js';
import { encodeCursor } from '../../server/services/reports.js';
import { MACHINE_PREFIXES } from '../../server/domain/spa-routes.js';
import { BMT, createField, createStaff, createUnit, fixtureFile, loginAs, reportForm, type StaffSession } from '../integration/factories.js';
import {
  conforming, encodeMultipart, failingStream, fileParts, multipartDamage, NASTY_NUMBERS, nastyJson, nastyString, objectOf, someObjectOf, toFieldText,
  toJsonText, type DomainPool, type JsonSchema, type MultipartShape,
} from './arbitraries.js';
import { fingerprint, mediaFiles, WALL_TOKEN, writeCount, type CapturedErrors } from './context.js';

// ---------------------------------------------------------------- endpoints

export interface Endpoint {
  method: string;
  /** Hono's path pattern, e.g. /api/reports/:code or /open311/v2/requests/:file{...}. */
  path: string;
  validators: { target: string; schema: ZodType }[];
}

/**
 * Every concrete route the app serves, read from the app itself, so a route
 * added tomorrow is fuzzed tomorrow without anyone listing it here.
 * Middleware (.use) and catch-alls (`*`) are not operations; the catch-alls
 * are exercised by the "unrouted" pseudo-endpoint.
 */
export function endpointsOf(app: Hono): Endpoint[] {
  const byKey = new Map<string, Endpoint>();
  for (const r of app.routes as { method: string; path: string; handler: MiddlewareHandler }[]) {
    if (r.method === 'ALL' || r.path.endsWith('*')) continue;
    const key = `${r.method} ${r.path}`;
    const ep = byKey.get(key) ?? { method: r.method, path: r.path, validators: [] };
    const v = validatorSchemas.get(r.handler);
    if (v) ep.validators.push(v);
    byKey.set(key, ep);
  }
  return [...byKey.values()];
}

export const keyOf = (ep: Pick<Endpoint, 'method' | 'path'>) => `${ep.method} ${ep.path}`;

/**
 * Bodies read without a validator middleware: multipart uploads and Open311
 * forms. A route missing here still gets generic hostile bodies; listing it
 * only lets the fuzzer also send well-formed ones that reach the service.
 */
const FORM_BODIES: Record<string, { schema: ZodType; files: string[]; encodings: ('multipart' | 'urlencoded')[] }> = {
  'POST /api/reports': { schema: NewReportForm, files: ['photos', 'video'], encodings: ['multipart'] },
  'POST /api/staff/reports/:code/response': { schema: ResponseForm, files: ['photos'], encodings: ['multipart'] },
  'POST /open311/v2/requests.json': { schema: PostRequestForm, files: ['media'], encodings: ['urlencoded', 'multipart'] },
  'POST /open311/v2/requests.xml': { schema: PostRequestForm, files: ['media'], encodings: ['urlencoded', 'multipart'] },
  'POST /open311/v2/servicerequestupdates.json': { schema: PostUpdateForm, files: [], encodings: ['urlencoded', 'multipart'] },
  'POST /open311/v2/servicerequestupdates.xml': { schema: PostUpdateForm, files: [], encodings: ['urlencoded', 'multipart'] },
};

/**
 * Parameters as sent (input); bodies as checked (output), since their text
 * is trimmed before the length limits apply and those limits only show there.
 */
function jsonSchemaOf(schema: ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return {};
  }
}

// ---------------------------------------------------------------- world: sessions and real values

export type Identity = 'admin' | 'dispatcher' | 'officer' | 'leader' | 'anonymous' | 'no_csrf' | 'bad_cookie' | 'display';
type StaffRole = 'admin' | 'dispatcher' | 'officer' | 'leader';

export interface World {
  db: Kysely<Database>;
  app: Hono;
  mediaDir: string;
  errors: CapturedErrors;
  accounts: Record<StaffRole, StaffAccount>;
  unitId: number;
  pool: DomainPool;
}

/** What @hono/node-server puts in c.env: the socket, whose address the login backoff and rate limits key on. */
export const fromAddress = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });

/** The fuzzer's own logins come from an address it never fuzzes from, so the backoff its failed logins earn never locks them out. */
const SESSION_ADDRESS = fromAddress('192.0.2.200');

interface StaffAccount {
  id: number;
  session: StaffSession;
}

async function newAccount(db: Kysely<Database>, app: Hono, role: StaffRole, unitId: number): Promise<StaffAccount> {
  const viaOwnAddress = { request: (p: string, init?: RequestInit) => app.request(p, init, SESSION_ADDRESS) };
  const creds = await createStaff(db, role, role === 'officer' ? unitId : null);
  return { id: creds.id, session: await loginAs(viaOwnAddress, creds) };
}

/**
 * A fresh session for an existing account, written straight to the table:
 * a fuzzed logout succeeds most of the time, and logging in again through
 * argon2 after each one would cost more than the fuzzing itself.
 */
async function mintSession(db: Kysely<Database>, app: Hono, userId: number): Promise<StaffSession> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrf = crypto.randomBytes(24).toString('base64url');
  await insertSession(db, { id_hash: sessionHash(token), user_id: userId, csrf_token: csrf, ip: null, user_agent: 'fuzz' });
  const cookie = `civic_session=${token}`;
  return {
    cookie,
    csrf,
    request: async (p, init = {}) => {
      const headers: Record<string, string> = { cookie, ...init.headers };
      const method = init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET');
      if (method !== 'GET') headers['x-csrf-token'] ??= csrf;
      const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      return app.request(p, { method, body, headers }, SESSION_ADDRESS);
    },
  };
}

/**
 * Reports in several states, a photo, a webhook, an API key, a cursor:
 * the real values that let generated requests get past "not found".
 */
export async function buildWorld(db: Kysely<Database>, app: Hono, mediaDir: string, errors: CapturedErrors): Promise<World> {
  const field = await createField(db);
  const unitId = await createUnit(db, { areaCode: '24133', fieldCodes: [field] });
  const accounts = {
    admin: await newAccount(db, app, 'admin', unitId),
    dispatcher: await newAccount(db, app, 'dispatcher', unitId),
    officer: await newAccount(db, app, 'officer', unitId),
    leader: await newAccount(db, app, 'leader', unitId),
  };
  const admin = accounts.admin.session;
  const file = async (status: string, photo = false) => {
    const res = await app.request('/api/reports', {
      method: 'POST', body: reportForm({ field, phone: '0905111222', email: 'a@example.vn', photos: photo ? [{ name: 'p.jpg', data: fixtureFile('gps-tagged.jpg') }] : [] }),
    });
    if (res.status !== 201) throw new Error(`world report: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { code: string; manage_token: string };
    if (status !== 'keep') {
      await db.updateTable('reports').set({
        status: status as never, unit_id: ['assigned', 'in_progress', 'resolved', 'reopened'].includes(status) ? unitId : null,
        resolved_at: status === 'resolved' ? new Date() : null,
      }).where('code', '=', body.code).execute();
    }
    return body;
  };
  const reports = [
    await file('keep', true), await file('received'), await file('verified'), await file('assigned'), await file('in_progress'),
    await file('resolved'), await file('reopened'), await file('closed'), await file('withdrawn'),
  ];
  const media = await db.selectFrom('media').select('id').execute();
  const key = await admin.request('/api/admin/api-keys', { json: { client_name: 'fuzz client', scope: 'own' } });
  const apiKey = ((await key.json()) as { key?: string; api_key?: string }) ?? {};
  const hook = await admin.request('/api/admin/webhooks', {
    json: { unit_id: unitId, url: 'http://127.0.0.1:9/hook', secret: 'fuzz-secret-0123456789', events: ['report.created'] },
  });
  if (hook.status !== 201) throw new Error(`world webhook: ${hook.status}`);
  const ids = async (table: 'units' | 'staff_users' | 'webhooks' | 'api_keys' | 'routing_rules') =>
    (await db.selectFrom(table).select('id').execute()).map((r) => Number(r.id));
  const unitIds = await ids('units');
  const numericIds = [...unitIds, ...(await ids('staff_users')), ...(await ids('webhooks')), ...(await ids('api_keys')), 0, -1, 2 ** 31, 2 ** 53];
  const fields = (await db.selectFrom('fields').select('code').execute()).map((f) => f.code);
  const areas = ['66', '24133', '24121', ...(await db.selectFrom('admin_areas').select('code').where('level', '=', 'district').limit(3).execute()).map((a) => a.code), '99999', '00'];
  const codes = [...reports.map((r) => r.code), 'ZZZZZZZZ', '22222222'];
  const lastReport = await db.selectFrom('reports').select(['id', 'created_at']).orderBy('id', 'desc').executeTakeFirstOrThrow();
  const cursors = [
    encodeCursor(lastReport.created_at, lastReport.id),
    ...['+275760-09-13T00:00:00.000Z|1', '-000001-01-01T00:00:00.000Z|1', '0000-01-01|1', '1|1', '2025-07-01T00:00:00Z|999999999999999999',
      '2025-07-01T00:00:00Z|-1', '2025-07-01T00:00:00Z|1|1', 'garbage', '|', "2025-07-01' OR 1=1 --|1", '2025-07-01T00:00:00Z|1e5',
      '9999-12-31T23:59:59.999Z|1', '2025-07-01T00:00:00+14:00|1', 'Infinity|1', '2025-07-01T00:00:00Z|\u0000'].map((s) => Buffer.from(s).toString('base64url')),
    '!!!notbase64!!!', '====', 'AAAA'.repeat(49),
  ];
  const ward = { lat: BMT.lat, lon: BMT.lon };
  const tileAround = (zoom: number) => {
    const n = 2 ** zoom;
    const x = Math.floor(((ward.lon + 180) / 360) * n);
    const latRad = (ward.lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2) * n);
    return { z: zoom, x, y };
  };
  const tiles = [8, 10, 12, 14, 16].map(tileAround);
  const num = (values: number[]) => fc.constantFrom(...values.map(String));
  const pool: DomainPool = {
    code: fc.constantFrom(...codes, ...codes.map((c) => `${c.slice(0, 4)}-${c.slice(4).toLowerCase()}`)),
    parent_code: fc.constantFrom(...codes),
    codes: fc.array(fc.constantFrom(...codes), { minLength: 1, maxLength: 4 }),
    service_request_id: fc.constantFrom(...codes),
    manage_token: fc.constantFrom(...reports.map((r) => r.manage_token), 'x'.repeat(20)),
    field: fc.constantFrom(...fields),
    field_codes: fc.array(fc.constantFrom(...fields), { maxLength: 3 }),
    service_code: fc.constantFrom(...fields),
    area: fc.constantFrom(...areas),
    parent: fc.constantFrom(...areas),
    area_codes: fc.array(fc.constantFrom(...areas), { maxLength: 3 }),
    unit: fc.constantFrom(...unitIds.map(String)),
    unit_id: fc.constantFrom(...unitIds, 2 ** 31, 0),
    id: fc.oneof(fc.constantFrom(...numericIds.map(String)), fc.constantFrom(...media.map((m) => m.id))),
    webhook: num(numericIds),
    lat: fc.oneof(fc.constantFrom(String(ward.lat), '12.9', '13.4'), fc.double({ min: 12.1, max: 13.4, noNaN: true }).map(String), fc.constantFrom(...NASTY_NUMBERS)),
    lon: fc.oneof(fc.constantFrom(String(ward.lon), '108.5', '107.9'), fc.double({ min: 107.5, max: 109.4, noNaN: true }).map(String), fc.constantFrom(...NASTY_NUMBERS)),
    long: fc.oneof(fc.constantFrom(String(ward.lon)), fc.constantFrom(...NASTY_NUMBERS)),
    bbox: fc.oneof(
      fc.constantFrom('107.5,12.1,109.4,13.9', '108,12.6,108.1,12.7', '-180,-90,180,90', '108.1,12.7,108,12.6', '0,0,0,0', 'NaN,NaN,NaN,NaN', 'Infinity,-90,180,90', '1,2,3', '1,2,3,4,5', ',,,', '108,12,109,1e309'),
      fc.tuple(fc.constantFrom(...NASTY_NUMBERS), fc.constantFrom(...NASTY_NUMBERS), fc.constantFrom(...NASTY_NUMBERS), fc.constantFrom(...NASTY_NUMBERS)).map((v) => v.join(',')),
    ),
    cursor: fc.constantFrom(...cursors),
    res: fc.constantFrom('5', '6', '7', '8', '9', '4', '10', '15', '-1', '7.5', 'NaN', '1e3'),
    z: fc.oneof(num(tiles.map((t) => t.z)), num([0, 1, 22, 23, 24, 25, 30, 31, 32, 53, 99, 1024, 99_999_999])),
    x: fc.oneof(num(tiles.map((t) => t.x)), num([0, 1, 2 ** 24, 2 ** 31, 99_999_999])),
    y: fc.oneof(fc.constantFrom(...tiles.map((t) => `${t.y}.mvt`)), fc.constantFrom('0.mvt', '1.mvt', '16777216.mvt', '99999999.mvt', '00000000.mvt', '1.pbf', '.mvt', '1.mvt.mvt')),
    file: fc.tuple(
      fc.oneof(fc.constantFrom(...codes, ...fields, 'ZZZZ', ''), nastyString),
      fc.constantFrom('.json', '.xml', '.html', '', '.json.xml', '.JSON'),
    ).map(([id, ext]) => `${id}${ext}`),
    jurisdiction_id: fc.constantFrom('daklak.gov.vn', 'other.gov', ''),
    api_key: fc.constantFrom(apiKey.key ?? apiKey.api_key ?? 'none', 'wrong-key', ''),
    day: fc.constantFrom('2025-09-02', '2026-01-01', '2025-02-29', '0000-01-01', '9999-12-31', '2025-07-01'),
    display_token: fc.constantFrom(WALL_TOKEN, 'wrong', ''),
    username: fc.constantFrom('admin', 'nobody', "admin' --"),
    update_id: fc.string({ maxLength: 10 }),
  };
  return { db, app, mediaDir, errors, accounts, unitId, pool };
}

/**
 * A successful fuzzed request may have logged a test session out, disabled
 * its user or changed its role; replace any session that no longer is what
 * it claims, so later runs still reach the code behind the login.
 */
export async function repairSessions(world: World, roles = Object.keys(world.accounts) as StaffRole[]) {
  for (const role of roles) {
    const account = world.accounts[role];
    const me = await account.session.request('/api/auth/me');
    if (me.status === 200) {
      const { user } = (await me.json()) as { user: { role: string; unit_id: number | null } };
      if (user.role === role && (role !== 'officer' || user.unit_id === world.unitId)) continue;
    }
    const row = await world.db.selectFrom('staff_users').select(['role', 'unit_id', 'disabled']).where('id', '=', account.id).executeTakeFirst();
    const intact = row && !row.disabled && row.role === role && (role !== 'officer' || row.unit_id === world.unitId);
    world.accounts[role] = intact
      ? { id: account.id, session: await mintSession(world.db, world.app, account.id) }
      : await newAccount(world.db, world.app, role, world.unitId);
  }
}

// ---------------------------------------------------------------- requests

export interface FuzzRequest {
  method: string;
  /** The client's socket address: several, so per-address backoff spreads over them as it would over real clients. */
  ip: string;
  url: string;
  identity: Identity;
  headers: Record<string, string>;
  body?: { kind: 'bytes'; data: Buffer } | { kind: 'text'; data: string } | { kind: 'failing'; data: Buffer };
  /** For reports: what was generated, before encoding. */
  note: string;
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is
 * sent as the bytes a careless client would send: CESU-style %ED%A0%80,
 * which is not valid UTF-8 and must be refused politely.
 */
export function pct(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (ch) => (/^[\uD800-\uDFFF]$/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch)));
  }
}

const headerSafe = (s: string) => s.replace(/[^\x20-\x7e\x80-\xff]/g, '').slice(0, 4000);

const identity: fc.Arbitrary<Identity> = fc.oneof(
  { weight: 20, arbitrary: fc.constant('admin' as const) },
  { weight: 2, arbitrary: fc.constantFrom('dispatcher', 'officer', 'leader') as fc.Arbitrary<Identity> },
  { weight: 2, arbitrary: fc.constantFrom('anonymous', 'no_csrf', 'bad_cookie', 'display') as fc.Arbitrary<Identity> },
);

const clientAddress = fc.constantFrom('203.0.113.1', '203.0.113.2', '203.0.113.3', '2001:db8::1', '::ffff:198.51.100.7');

const MALFORMED_JSON = [
  '{', '{"a":', '[1,2', 'nul', '{"a":1}}', '\uFEFF{}', '{"a":"\\ud800"}', '', ' ', 'undefined', "{'a':1}", '{"a":1,}', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}', 'NaN', '"\u0000"', '{"a":1e999}', '\u0000', '[' .repeat(10_000), '{"a":"' + 'x'.repeat(300_000) + '"}',
];
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonx', 'application/json; charset=latin1', ''];

/** A body for a route whose shape we do not know: anything at all. */
const genericBody: fc.Arbitrary<{ contentType: string; body: FuzzRequest['body'] }> = fc.oneof(
  fc.tuple(nastyJson, fc.constantFrom(...JSON_TYPES)).map(([v, t]) => ({ contentType: t, body: { kind: 'text' as const, data: toJsonText(v) } })),
  fc.tuple(fc.constantFrom(...MALFORMED_JSON), fc.constantFrom(...JSON_TYPES)).map(([v, t]) => ({ contentType: t, body: { kind: 'text' as const, data: v } })),
  fc.uint8Array({ maxLength: 2048 }).map((b) => ({ contentType: 'application/octet-stream', body: { kind: 'bytes' as const, data: Buffer.from(b) } })),
  fc.constant({ contentType: '', body: undefined }),
);

function jsonBody(schema: JsonSchema, pool: DomainPool) {
  return fc.oneof(
    { weight: 12, arbitrary: someObjectOf(schema, pool).map((v) => ({ contentType: 'application/json', body: { kind: 'text' as const, data: toJsonText(v) } })) },
    {
      weight: 2,
      arbitrary: fc.tuple(objectOf(schema, pool), fc.constantFrom(...JSON_TYPES))
        .map(([v, t]) => ({ contentType: t, body: { kind: 'text' as const, data: toJsonText(v) } })),
    },
    { weight: 3, arbitrary: genericBody },
  );
}

function formBody(form: (typeof FORM_BODIES)[string], pool: DomainPool) {
  const schema = jsonSchemaOf(form.schema, 'output');
  const fieldsArb = someObjectOf(schema, pool).chain((obj) =>
    // Open311 attributes come as attribute[CODE] fields; repeated ones make lists.
    fc.array(fc.tuple(fc.constantFrom('attribute[kind]', 'attribute[]', 'attribute[__proto__]', 'attribute[x][y]'), nastyString), { maxLength: 2 })
      .map((attrs) => [...Object.entries(obj).map(([k, v]) => [k, toFieldText(v)] as [string, string]), ...attrs]));
  const multipart = fc.record({ fields: fieldsArb, files: fileParts(form.files), damage: multipartDamage, cut: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map((shape: MultipartShape) => {
      const { body, contentType } = encodeMultipart(shape);
      return { contentType, body: { kind: 'bytes' as const, data: body }, note: `multipart ${shape.damage} fields=${JSON.stringify(shape.fields).slice(0, 300)} files=${shape.files.map((f) => `${f.field}:${f.data.length}B`).join(',')}` };
    });
  const urlencoded = fieldsArb.map((pairs) => ({
    contentType: 'application/x-www-form-urlencoded',
    body: { kind: 'text' as const, data: pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&') },
    note: `urlencoded ${JSON.stringify(pairs).slice(0, 300)}`,
  }));
  const interrupted = fc.record({ fields: fieldsArb, files: fileParts(form.files), damage: fc.constant('none' as const), cut: fc.constant(1) }).map((shape) => {
    const { body, contentType } = encodeMultipart(shape);
    return { contentType, body: { kind: 'failing' as const, data: body.subarray(0, Math.floor(body.length / 2)) }, note: 'multipart interrupted' };
  });
  const options = [
    ...(form.encodings.includes('multipart') ? [{ weight: 10, arbitrary: multipart }] : []),
    ...(form.encodings.includes('urlencoded') ? [{ weight: 6, arbitrary: urlencoded }] : []),
    { weight: 1, arbitrary: interrupted },
    { weight: 2, arbitrary: genericBody.map((b) => ({ ...b, note: 'generic' })) },
  ];
  return fc.oneof(...options);
}

/** Path segment: real or hostile value, encoded as a client would, or raw to tamper with the route itself. */
function segment(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.tuple(value, fc.nat(19)).map(([v, roll]) => {
    const text = toFieldText(v);
    return roll === 0 ? text : pct(text);
  });
}

const QUERY_JUNK = ['', '&', '&&', '=', '&a', '&%ZZ=1', '&bbox=%', '&limit=1&limit=2', '&=x', '&a[]=1&a[]=2', '&status=received&status=closed', '&__proto__=1', '&x=' + 'y'.repeat(9000), '&%00=%00'];

/** Requests for one endpoint: its validators' shapes filled with real, random and hostile values. */
export function requestsFor(ep: Endpoint, pool: DomainPool): fc.Arbitrary<FuzzRequest> {
  const paramNames = [...ep.path.matchAll(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g)].map((m) => m[1]!);
  const paramSchema = ep.validators.find((v) => v.target === 'param');
  const paramProps = paramSchema ? jsonSchemaOf(paramSchema.schema).properties ?? {} : {};
  const params = fc.tuple(...paramNames.map((name) =>
    segment(fc.oneof({ weight: 6, arbitrary: conforming(paramProps[name] ?? {}, name, pool) }, { weight: 2, arbitrary: nastyString })),
  ));

  const querySchema = ep.validators.find((v) => v.target === 'query');
  const queryProps = querySchema ? jsonSchemaOf(querySchema.schema) : { properties: {} };
  const query = fc.tuple(
    someObjectOf({ ...queryProps, required: [] }, pool),
    fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 2, arbitrary: fc.constantFrom(...QUERY_JUNK) }),
    fc.option(fc.constantFrom(`display_token=${WALL_TOKEN}`, 'display_token=wrong', `jurisdiction_id=daklak.gov.vn`), { freq: 10 }),
  ).map(([obj, junk, extra]) => {
    const pairs = Object.entries(obj).map(([k, v]) => `${pct(k)}=${pct(toFieldText(v))}`);
    if (extra) pairs.push(extra);
    const qs = pairs.join('&') + junk;
    return qs ? `?${qs}` : '';
  });

  const key = keyOf(ep);
  const jsonValidator = ep.validators.find((v) => v.target === 'json' || v.target === 'form');
  const form = FORM_BODIES[key];
  const bodyArb: fc.Arbitrary<{ contentType: string; body: FuzzRequest['body']; note?: string }> =
    ep.method === 'GET' || ep.method === 'HEAD' ? fc.constant({ contentType: '', body: undefined })
      : form ? formBody(form, pool)
        : jsonValidator ? jsonBody(jsonSchemaOf(jsonValidator.schema, 'output'), pool)
          : genericBody;

  const headers = fc.record({
    idempotency: fc.option(fc.oneof(fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), nastyString.map(headerSafe)), { freq: 5 }),
    ifNoneMatch: fc.option(fc.oneof(fc.constant('*'), nastyString.map(headerSafe)), { freq: 10 }),
    accept: fc.option(fc.constantFrom('application/xml', '*/*', 'text/html', 'application/json;q=0'), { freq: 10 }),
    contentLength: fc.option(fc.constantFrom('0', '999999999999', '-1', 'abc', '1e3'), { freq: 30 }),
  });

  return fc.record({ params, query, body: bodyArb, identity, headers, ip: clientAddress }).map(({ params: values, query: qs, body, identity: who, headers: h, ip }) => {
    let i = 0;
    let p = ep.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, () => values[i++] ?? '');
    let url = p + qs;
    try {
      new URL(url, 'http://localhost');
    } catch {
      p = ep.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, () => 'x');
      url = p + qs;
    }
    const out: Record<string, string> = {};
    if (body.contentType) out['content-type'] = body.contentType;
    if (h.idempotency) out['idempotency-key'] = h.idempotency;
    if (h.ifNoneMatch) out['if-none-match'] = h.ifNoneMatch;
    if (h.accept) out.accept = h.accept;
    if (h.contentLength && body.body) out['content-length'] = h.contentLength;
    return { method: ep.method, ip, url, identity: who, headers: out, body: body.body, note: body.note ?? '' };
  });
}

/** Paths no route names, under every mount point, with every method. */
export const unroutedRequests: fc.Arbitrary<FuzzRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
  prefix: fc.constantFrom('/api/', '/api/staff/', '/api/admin/', '/open311/v2/', '/open311/', '/media/', '/tiles/planning/', '/tiles/planning/1/2/', '/'),
  rest: fc.oneof(nastyString, fc.webPath()),
  identity,
  ip: clientAddress,
}).map(({ method, prefix, rest, identity: who, ip }) => {
  let url = prefix + rest;
  try {
    new URL(url, 'http://localhost');
  } catch {
    url = prefix + pct(rest);
  }
  return { method, ip, url, identity: who, headers: {}, body: undefined, note: 'unrouted' };
});

// ---------------------------------------------------------------- sending and judging

export interface Outcome {
  status: number;
  problems: string[];
}

export function headersFor(world: World, who: Identity, method: string): Record<string, string> {
  const safe = method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
  switch (who) {
    case 'anonymous':
      return {};
    case 'bad_cookie':
      return { cookie: 'civic_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'x-csrf-token': 'nope' };
    case 'display':
      return { 'x-display-token': WALL_TOKEN };
    case 'no_csrf':
      return { cookie: world.accounts.admin.session.cookie };
    default: {
      const s = world.accounts[who].session;
      return safe ? { cookie: s.cookie } : { cookie: s.cookie, 'x-csrf-token': s.csrf };
    }
  }
}

/** Our error shape: exactly { error: { code, message, fields? } } with string fields, as JSON, no stack. */
export function checkErrorShape(res: Response, text: string): string | undefined {
  if (!/^application\/json/.test(res.headers.get('content-type') ?? '')) return `content-type ${res.headers.get('content-type')}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object';
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return `top-level keys ${keys.join(',')}`;
  const error = (body as { error: Record<string, unknown> }).error;
  if (!error || typeof error !== 'object') return 'error is not an object';
  if (typeof error.code !== 'string' || !error.code) return 'error.code missing';
  if (typeof error.message !== 'string' || !error.message) return 'error.message missing';
  for (const k of Object.keys(error)) if (!['code', 'message', 'fields'].includes(k)) return `unexpected error.${k}`;
  if (error.fields !== undefined) {
    if (!error.fields || typeof error.fields !== 'object' || Array.isArray(error.fields)) return 'error.fields is not an object';
    for (const [k, v] of Object.entries(error.fields)) if (typeof v !== 'string') return `error.fields.${k} is not a string`;
  }
  if (/\n\s+at .+:\d+:\d+/.test(text)) return 'stack trace in the body';
  return undefined;
}

/** The app's page, sent with a 404 so the browser draws "not found". */
function checkNotFoundPage(res: Response): string | undefined {
  return /^text\/html/.test(res.headers.get('content-type') ?? '') ? undefined : `content-type ${res.headers.get('content-type')} for a page`;
}

/** Open311's own error list: [{code, description}] in JSON, <errors><error> in XML. */
export function checkOpen311ErrorShape(res: Response, text: string, pathname: string): string | undefined {
  if (pathname.endsWith('.xml')) {
    return /^<\?xml[^>]*\?>\s*<errors>(\s*<error>\s*<code>\d+<\/code>\s*<description>[^<]*<\/description>\s*<\/error>)+\s*<\/errors>\s*$/.test(text)
      ? undefined : 'not an Open311 XML error list';
  }
  try {
    const body = JSON.parse(text) as unknown;
    if (Array.isArray(body) && body.length > 0 && body.every((e) => e && typeof e === 'object' && typeof (e as { description?: unknown }).description === 'string' && ['number', 'string'].includes(typeof (e as { code?: unknown }).code))) return undefined;
  } catch {
    // Falls through to the message below.
  }
  return 'not an Open311 error list';
}

/** Reads a reply to the end, as a client would; an SSE stream is read to its first event and dropped. */
async function readAll(res: Response): Promise<{ text: string; streamError?: string }> {
  if (!res.body) return { text: '' };
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const reader = res.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    return { text: first.value ? Buffer.from(first.value).toString('utf8') : '' };
  }
  try {
    return { text: Buffer.from(await res.arrayBuffer()).toString('utf8') };
  } catch (error) {
    return { text: '', streamError: String(error) };
  }
}

interface Snapshot {
  writes: string;
  rows: Record<string, string>;
}

/**
 * Sends requests and judges replies: no 5xx, every 4xx in its error shape,
 * nothing logged as an error, and no write left behind by a refused request.
 * The database is fingerprinted before a request and again after a refusal
 * that wrote anything (the write counter says so cheaply); a success changes
 * state legitimately and the next request starts from a new fingerprint.
 */
export class Judge {
  private base: Snapshot | undefined;
  constructor(private readonly world: World) {}

  private async snapshot(): Promise<Snapshot> {
    const writes = await writeCount(this.world.db);
    return { writes, rows: await fingerprint(this.world.db) };
  }

  async send(req: FuzzRequest): Promise<Outcome> {
    const writesBefore = await writeCount(this.world.db);
    if (this.base?.writes !== writesBefore) this.base = await this.snapshot();
    const filesBefore = mediaFiles(this.world.mediaDir);
    this.world.errors.take();
    const headers = { ...req.headers, ...headersFor(this.world, req.identity, req.method) };
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers };
    if (req.body?.kind === 'failing') {
      init.body = failingStream(req.body.data);
      init.duplex = 'half';
      delete headers['content-length'];
    } else if (req.body) {
      init.body = req.body.kind === 'bytes' ? new Uint8Array(req.body.data) : req.body.data;
    }
    const problems: string[] = [];
    let res: Response;
    const t0 = performance.now();
    // FUZZ_DEBUG=1 prints each request before it is sent, so a request that never ends is the last line.
    if (process.env.FUZZ_DEBUG) console.error(`→ ${describeRequest(req)}`);
    try {
      res = await this.world.app.request(req.url, init, fromAddress(req.ip));
    } catch (error) {
      // The Request constructor refuses some headers and bodies before the server sees them.
      if (error instanceof TypeError) return { status: 0, problems: [] };
      throw error;
    }
    const { text, streamError } = await readAll(res);
    if (process.env.FUZZ_DEBUG) console.error(`${res.status} ${Math.round(performance.now() - t0)}ms ${describeRequest(req).slice(0, 300)}`);
    if (streamError) problems.push(`stream failed: ${streamError}`);
    if (res.status >= 500) problems.push(`5xx ${res.status}: ${text.slice(0, 300)}`);
    // A HEAD reply has no body by definition.
    if (res.status >= 400 && req.method !== 'HEAD') {
      // The path as the server saw it: a raw "#" or "?" in a tampered segment ends it early.
      const { pathname } = new URL(req.url, 'http://localhost');
      // A person's mistyped address gets the app's "not found" page (HTML, 404); machine paths get their error shape.
      const page = res.status === 404 && req.method === 'GET' && !MACHINE_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
      const bad = page
        ? checkNotFoundPage(res)
        : pathname.startsWith('/open311/v2/')
          ? checkOpen311ErrorShape(res, text, pathname)
          : checkErrorShape(res, text);
      if (bad) problems.push(`shape ${res.status}: ${bad}: ${text.slice(0, 200)}`);
    }
    // Give a stream's last callbacks (an export's finally) a turn before looking at the log.
    await new Promise((r) => setImmediate(r));
    const logged = this.world.errors.take();
    if (logged.length) problems.push(`logged error: ${logged[0]!.slice(0, 400)}`);

    if (res.status >= 400) {
      const changed: string[] = [];
      if ((await writeCount(this.world.db)) !== this.base.writes) {
        const after = await this.snapshot();
        changed.push(...Object.keys(after.rows).filter((k) => after.rows[k] !== this.base!.rows[k]));
        this.base = after;
      }
      const filesAfter = mediaFiles(this.world.mediaDir);
      if (filesAfter.join('\n') !== filesBefore.join('\n')) changed.push(`media files ${filesBefore.length}→${filesAfter.length}`);
      if (changed.length) problems.push(`write left behind by ${res.status}: ${changed.join(', ')}`);
    } else if (req.method !== 'GET' && req.url.startsWith('/api/admin/users')) {
      await repairSessions(this.world);
    } else if (req.url.startsWith('/api/auth/logout') && req.identity in this.world.accounts) {
      await repairSessions(this.world, [req.identity as StaffRole]);
    }
    return { status: res.status, problems };
  }
}

export function describeRequest(req: FuzzRequest): string {
  const body = req.body ? (req.body.kind === 'text' ? req.body.data : `<${req.body.kind} ${req.body.data.length} bytes>`) : '';
  return `${req.method} ${req.url.slice(0, 300)} as ${req.identity} ${JSON.stringify(req.headers).slice(0, 200)} ${body.slice(0, 300)} ${req.note}`;
}
