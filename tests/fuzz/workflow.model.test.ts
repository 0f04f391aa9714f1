import fc from 'fast-check';
import type { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database, ReportStatus } from '../../server/db/database.js';
import { canTransition } from '../../server/services/workflow.js';
import { createField, createStaff, createUnit, loginAs, reportForm, type StaffSession } from '../integration/factories.js';
import { ENGINES, FUZZ_SEED, fuzzApp, fuzzDb, runsFor } from './context.js';
import { checkErrorShape } from './harness.js';

/**
 * Model-based test of the report workflow. Random sequences of staff and
 * citizen actions run against the real API while a model, written from the
 * README's workflow and the role matrix, predicts each answer. After every
 * step the report's status, version, unit and followers must match the
 * model, a refused step must have changed nothing, and the timeline, the
 * audit trail and the outbox must agree with what happened.
 */

type Role = 'admin' | 'dispatcher' | 'officerA' | 'officerB' | 'leader';
type Action = 'verify' | 'reject' | 'classify' | 'assign' | 'accept' | 'decline' | 'progress' | 'resolve' | 'merge' | 'set_deadline' | 'respond';

const OPEN: ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress', 'reopened'];

/** Who may do what, before the state is looked at (README "Security" and the back-office roles). */
const DISPATCH: Action[] = ['verify', 'reject', 'classify', 'assign', 'merge', 'set_deadline'];
const UNIT_WORK: Action[] = ['accept', 'decline', 'progress', 'respond', 'resolve'];

/** Where each action may start and where it leads (README "Report workflow"); undefined target = status unchanged. */
const STEPS: Record<Action, { from: ReportStatus[]; to?: ReportStatus }> = {
  verify: { from: ['received'], to: 'verified' },
  reject: { from: ['received', 'verified'], to: 'rejected' },
  classify: { from: OPEN },
  assign: { from: OPEN, to: 'assigned' },
  accept: { from: ['assigned', 'reopened'], to: 'in_progress' },
  decline: { from: ['assigned'], to: 'verified' },
  progress: { from: ['assigned', 'in_progress', 'reopened'] },
  resolve: { from: ['in_progress', 'reopened'], to: 'resolved' },
  merge: { from: OPEN, to: 'merged' },
  set_deadline: { from: OPEN },
  respond: { from: ['assigned', 'in_progress', 'reopened'] },
};

interface Model {
  status: ReportStatus;
  unitId: number | null;
  /** Units that held the report at some point (a timeline event carries them): their officers still see it. */
  unitsEver: number[];
  version: number;
  reopenCount: number;
  followers: number;
  /** Rows this report should have by now. */
  events: number;
  audits: number;
  outbox: number;
}

interface Real {
  app: Hono;
  db: Kysely<Database>;
  sessions: Record<Role, StaffSession>;
  units: { A: number; B: number };
  unitOf: Record<Role, number | null>;
  fields: [string, string];
  code: string;
  token: string;
  parent: string;
}

function roleMay(real: Real, role: Role, action: Action, unitId: number | null): boolean {
  if (role === 'admin') return true;
  if (role === 'dispatcher') return DISPATCH.includes(action);
  if (role === 'leader') return false;
  return UNIT_WORK.includes(action) && unitId !== null && unitId === real.unitOf[role];
}

async function json(res: Response) {
  const text = await res.text();
  return { text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The answer must be what the model said; a refusal must be in the error shape. */
async function expectAnswer(res: Response, expected: number, what: string) {
  const { text, body } = await json(res);
  expect(res.status, `${what}: ${text.slice(0, 300)}`).toBe(expected);
  if (expected >= 400) expect(checkErrorShape(res, text), `${what}: ${text}`).toBeUndefined();
  return body;
}

/** Reads the report, its timeline, audit and outbox, and holds them against the model and the state machine. */
async function agree(m: Model, r: Real, what: string) {
  const detail = await r.sessions.admin.request(`/api/staff/reports/${r.code}`);
  const d = (await detail.json()) as { status: ReportStatus; version: number; unit: { id: number } | null; follower_count: number };
  expect({ status: d.status, version: d.version, unit: d.unit?.id ?? null, followers: d.follower_count }, what)
    .toEqual({ status: m.status, version: m.version, unit: m.unitId, followers: m.followers });
  const pub = await r.app.request(`/api/reports/${r.code}`);
  expect(((await pub.json()) as { status: string }).status, `${what}: public view`).toBe(m.status);

  const report = await r.db.selectFrom('reports').select(['id', 'status']).where('code', '=', r.code).executeTakeFirstOrThrow();
  const events = await r.db.selectFrom('report_events').select(['type', 'from_status', 'to_status', 'actor_id'])
    .where('report_id', '=', report.id).orderBy('id').execute();
  expect(events.length, `${what}: timeline length`).toBe(m.events);
  // The timeline is a walk through the state machine from "received" to the current status.
  let current: ReportStatus | null = null;
  for (const e of events) {
    if (!e.to_status) continue;
    if (current === null) {
      expect(e.to_status, `${what}: first event`).toBe('received');
    } else {
      expect(e.from_status, `${what}: ${e.type} starts where the last ended`).toBe(current);
      if (e.to_status !== current) expect(canTransition(current, e.to_status as ReportStatus), `${what}: ${current} → ${e.to_status}`).toBe(true);
    }
    current = e.to_status as ReportStatus;
  }
  expect(current, `${what}: the last status event is the status`).toBe(m.status);

  const audits = await r.db.selectFrom('audit_log').select(['action', 'after']).where('entity', '=', 'report').where('entity_id', '=', r.code)
    .orderBy('id').execute();
  expect(audits.length, `${what}: one audit row per successful staff action`).toBe(m.audits);
  // Every staff event has its audit row, in the same order, recording the same resulting status.
  const staffEvents = events.filter((e) => e.actor_id !== null);
  expect(staffEvents.length, `${what}: staff events = audit rows`).toBe(audits.length);
  audits.forEach((a, i) => {
    const after = a.after ? (JSON.parse(a.after) as { status?: string }) : {};
    if (after.status) expect(after.status, `${what}: audit ${a.action} vs event ${staffEvents[i]!.type}`).toBe(staffEvents[i]!.to_status);
  });

  const outbox = await r.db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('report_id', '=', report.id).executeTakeFirstOrThrow();
  expect(outbox.n, `${what}: outbox events`).toBe(m.outbox);
}

type Cmd = fc.AsyncCommand<Model, Real, true>;

/** What the sequences reached, printed after the run: a model test that never gets past "received" proves little. */
const reached = new Map<string, number>();
const note = (key: string) => reached.set(key, (reached.get(key) ?? 0) + 1);

/** A staff action through /actions, /response or /bulk-assign, with a current, stale or no version. */
class StaffCommand implements Cmd {
  constructor(
    readonly role: Role,
    readonly action: Action,
    readonly variant: { version: 'none' | 'current' | 'stale'; target: 'A' | 'B' | 'bad' ; via: 'actions' | 'bulk' },
  ) {}
  async check() {
    return true;
  }
  private body(m: Model, r: Real): Record<string, unknown> {
    const v = this.variant;
    const version = v.version === 'current' ? { version: m.version } : v.version === 'stale' ? { version: m.version + 1 } : {};
    switch (this.action) {
      case 'verify': return { action: 'verify', note: 'Đã xác minh tại hiện trường', ...version };
      case 'reject': return { action: 'reject', reason: 'spam', ...version };
      case 'classify': return { action: 'classify', field: v.target === 'bad' ? 'no_such_field' : r.fields[v.target === 'A' ? 0 : 1], ...version };
      case 'assign': return { action: 'assign', unit_id: v.target === 'bad' ? 2_147_483_000 : r.units[v.target], ...version };
      case 'accept': return { action: 'accept', ...version };
      case 'decline': return { action: 'decline', reason: 'Không thuộc thẩm quyền', ...version };
      case 'progress': return { action: 'progress', note: 'Đang xử lý', public: v.target !== 'B', ...version };
      case 'resolve': return { action: 'resolve', note: 'Đã xử lý xong', ...version };
      case 'merge': return { action: 'merge', parent_code: v.target === 'bad' ? r.code : r.parent, ...version };
      case 'set_deadline': return { action: 'set_deadline', due_at: v.target === 'bad' ? '2000-01-01T00:00:00+07:00' : '2099-01-01T00:00:00+07:00', reason: 'Cần khảo sát', ...version };
      case 'respond': return {};
    }
  }
  /** The answer the model expects: refusals in the order the service checks them. */
  private expected(m: Model, r: Real): { status: number; to?: ReportStatus } {
    const bulk = this.action === 'assign' && this.variant.via === 'bulk';
    // A report an officer's unit never held does not exist for them (bulk assign is refused on the role first).
    const officerUnit = r.unitOf[this.role];
    if (officerUnit !== null && !bulk && m.unitId !== officerUnit && !m.unitsEver.includes(officerUnit)) return { status: 404 };
    if (!roleMay(r, this.role, this.action, m.unitId)) return { status: 403 };
    if (!STEPS[this.action].from.includes(m.status)) return { status: 409 };
    if (this.variant.version === 'stale' && !bulk) return { status: 409 };
    if (this.variant.target === 'bad' && ['classify', 'assign', 'merge', 'set_deadline'].includes(this.action)) return { status: 400 };
    return { status: this.action === 'respond' ? 201 : 200, to: STEPS[this.action].to };
  }
  async run(m: Model, r: Real) {
    const session = r.sessions[this.role];
    const want = this.expected(m, r);
    let res: Response;
    if (this.action === 'respond') {
      const form = new FormData();
      form.append('text', 'Đơn vị đã tiếp nhận và sẽ xử lý trong tuần này.');
      if (this.variant.version !== 'none') form.append('version', String(this.variant.version === 'current' ? m.version : m.version + 1));
      res = await session.request(`/api/staff/reports/${r.code}/response`, { method: 'POST', body: form });
    } else if (this.action === 'assign' && this.variant.via === 'bulk') {
      res = await session.request('/api/staff/reports/bulk-assign', { json: { codes: [r.code], unit_id: this.body(m, r).unit_id } });
    } else {
      res = await session.request(`/api/staff/reports/${r.code}/actions`, { json: this.body(m, r) });
    }
    const body = await expectAnswer(res, want.status, this.toString());
    note(`${this.action} ${want.status}`);
    if (want.status < 400) {
      if (this.action === 'assign') m.unitId = r.units[this.variant.target as 'A' | 'B'];
      if (m.unitId !== null && !m.unitsEver.includes(m.unitId)) m.unitsEver.push(m.unitId);
      if (this.action === 'decline') m.unitId = null;
      if (want.to) {
        expect(canTransition(m.status, want.to) || m.status === want.to, `${this}: ${m.status} → ${want.to}`).toBe(true);
        m.status = want.to;
      }
      m.version += 1;
      m.events += 1;
      m.audits += 1;
      m.outbox += 1;
      if (this.action !== 'respond' && this.variant.via !== 'bulk') expect(body).toMatchObject({ status: m.status, version: m.version });
    }
    note(`status ${m.status}`);
    await agree(m, r, this.toString());
  }
  toString() {
    return `${this.role} ${this.action} ${JSON.stringify(this.variant)}`;
  }
}

/** The way towards an answer, taken most of the time so that sequences reach resolved, closed and reopened. */
const FORWARD: Partial<Record<ReportStatus, Action[]>> = {
  received: ['verify', 'assign'], verified: ['assign'], assigned: ['accept', 'progress', 'respond'], in_progress: ['resolve', 'progress'],
  reopened: ['accept', 'resolve'],
};

/**
 * A step the current state allows, taken by someone who may take it. Picked
 * when the step runs, from the model, so sequences get deep into the
 * workflow instead of collecting refusals at "received".
 */
class GuidedCommand implements Cmd {
  private chosen = '';
  constructor(readonly choice: number, readonly target: 'A' | 'B') {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    if (m.status === 'resolved') {
      const rate = new RateCommand(this.choice % 2 === 0, true);
      this.chosen = rate.toString();
      return rate.run(m, r);
    }
    const forward = FORWARD[m.status];
    const options = forward && this.choice % 10 < 7 ? forward : ACTIONS.filter((a) => STEPS[a].from.includes(m.status));
    if (!options.length) {
      this.chosen = `nothing to do at ${m.status}`;
      return;
    }
    const action = options[this.choice % options.length]!;
    const officer = m.unitId === r.units.A ? 'officerA' : m.unitId === r.units.B ? 'officerB' : 'admin';
    const role: Role = DISPATCH.includes(action) ? (this.choice % 2 ? 'dispatcher' : 'admin') : this.choice % 3 ? officer : 'admin';
    const step = new StaffCommand(role, action, { version: this.choice % 4 ? 'current' : 'none', target: this.target, via: this.choice % 5 ? 'actions' : 'bulk' });
    this.chosen = step.toString();
    await step.run(m, r);
  }
  toString() {
    return `guided(${this.choice}, ${this.target}) = ${this.chosen}`;
  }
}

/** The reporter rates the answer (with the right or a wrong management token). */
class RateCommand implements Cmd {
  constructor(readonly satisfied: boolean, readonly rightToken: boolean) {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const token = this.rightToken ? r.token : `${r.token.slice(0, -4)}XXXX`;
    const res = await r.app.request(`/api/reports/${r.code}/rating`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manage_token: token, satisfied: this.satisfied }),
    });
    const expected = !this.rightToken ? 403 : m.status !== 'resolved' ? 409 : 200;
    const body = await expectAnswer(res, expected, this.toString());
    note(`rate ${expected}`);
    if (expected === 200) {
      // Not satisfied reopens once (within the 7 days, which a test always is); anything else closes.
      const next: ReportStatus = !this.satisfied && m.reopenCount === 0 ? 'reopened' : 'closed';
      expect(body.status).toBe(next);
      if (next === 'reopened') m.reopenCount += 1;
      m.status = next;
      m.events += 2;
      m.outbox += 1;
    }
    await agree(m, r, this.toString());
  }
  toString() {
    return `citizen rates satisfied=${this.satisfied} token=${this.rightToken ? 'right' : 'wrong'}`;
  }
}

/** The reporter withdraws the report. */
class WithdrawCommand implements Cmd {
  constructor(readonly rightToken: boolean) {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const token = this.rightToken ? r.token : 'not-the-token-0000';
    const res = await r.app.request(`/api/reports/${r.code}/withdraw`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manage_token: token, reason: 'Đã tự khắc phục' }),
    });
    const allowed: ReportStatus[] = ['received', 'verified', 'assigned', 'in_progress'];
    const expected = !this.rightToken ? 403 : allowed.includes(m.status) ? 200 : 409;
    await expectAnswer(res, expected, this.toString());
    note(`withdraw ${expected}`);
    if (expected === 200) {
      m.status = 'withdrawn';
      m.events += 1;
      m.outbox += 1;
    }
    await agree(m, r, this.toString());
  }
  toString() {
    return `citizen withdraws token=${this.rightToken ? 'right' : 'wrong'}`;
  }
}

/** Another citizen says "me too". */
class FollowCommand implements Cmd {
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const res = await r.app.request(`/api/reports/${r.code}/follow`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Hàng xóm', phone: '0905123456', contact_consent: true }),
    });
    const expected = OPEN.includes(m.status) ? 200 : 409;
    await expectAnswer(res, expected, this.toString());
    // Always the same neighbour: one follow per person, so only the first counts.
    if (expected === 200 && m.followers === 0) m.followers = 1;
    await agree(m, r, this.toString());
  }
  toString() {
    return 'citizen follows';
  }
}

const ROLES: Role[] = ['admin', 'dispatcher', 'officerA', 'officerB', 'leader'];
const ACTIONS = Object.keys(STEPS) as Action[];

/** Staff actions weighted towards the roles that may take them, so sequences get deep into the workflow. */
const staffCommand = fc.record({
  role: fc.oneof({ weight: 3, arbitrary: fc.constantFrom<Role>('admin', 'dispatcher', 'officerA') }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }),
  action: fc.constantFrom(...ACTIONS),
  version: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('none' as const, 'current' as const) }, { weight: 1, arbitrary: fc.constant('stale' as const) }),
  target: fc.oneof({ weight: 4, arbitrary: fc.constant('A' as const) }, { weight: 2, arbitrary: fc.constant('B' as const) }, { weight: 1, arbitrary: fc.constant('bad' as const) }),
  via: fc.oneof({ weight: 4, arbitrary: fc.constant('actions' as const) }, { weight: 1, arbitrary: fc.constant('bulk' as const) }),
}).map(({ role, action, ...variant }) => new StaffCommand(role, action, variant));

// fc.commands picks among these uniformly, so weight is given by repetition.
const guided = fc.tuple(fc.nat(1000), fc.constantFrom<'A' | 'B'>('A', 'B')).map(([c, t]) => new GuidedCommand(c, t));
const commands = [
  guided, guided, guided, guided, guided, guided,
  staffCommand, staffCommand, staffCommand,
  fc.tuple(fc.boolean(), fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) })).map(([s, t]) => new RateCommand(s, t)),
  fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }).map((t) => new WithdrawCommand(t)),
  fc.constant(new FollowCommand()),
];

for (const engine of ENGINES) {
  describe(`report workflow model [${engine}]`, () => {
    let base: Omit<Real, 'code' | 'token' | 'parent'>;
    // A sequence costs about as much as thirty fuzzed requests.
    const runs = Math.max(30, Math.round(runsFor(engine) / 10));

    beforeAll(async () => {
      const db = await fuzzDb(engine);
      const { app } = fuzzApp(db, engine, 'model');
      const fields: [string, string] = [await createField(db), await createField(db)];
      const units = { A: await createUnit(db, { areaCode: '24133', fieldCodes: [] }), B: await createUnit(db, { areaCode: '24121', fieldCodes: [] }) };
      const session = async (role: 'admin' | 'dispatcher' | 'officer' | 'leader', unit: number | null = null) =>
        loginAs(app, await createStaff(db, role, unit));
      const sessions: Record<Role, StaffSession> = {
        admin: await session('admin'), dispatcher: await session('dispatcher'),
        officerA: await session('officer', units.A), officerB: await session('officer', units.B), leader: await session('leader'),
      };
      base = { app, db, sessions, units, fields, unitOf: { admin: null, dispatcher: null, officerA: units.A, officerB: units.B, leader: null } };
    });

    it(`never leaves the state machine; timeline, audit and outbox agree with the status (${runs} sequences)`, async () => {
      const file = async () => {
        // A phone of its own: the endpoint fuzzer may have marked the fuzz world's senders abusive, which would hold these reports.
        const phone = `09${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
        const res = await base.app.request('/api/reports', { method: 'POST', body: reportForm({ field: base.fields[0], phone }) });
        expect(res.status).toBe(201);
        return (await res.json()) as { code: string; manage_token: string; status: ReportStatus; unit?: { id: number } };
      };
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'medium' }), async (cmds) => {
          const parent = await file();
          const report = await file();
          // Routing decides the first state (a rule left by another suite may assign it): the model starts from what it says.
          const auto = report.status === 'assigned';
          const model: Model = {
            status: report.status, unitId: report.unit?.id ?? null, unitsEver: report.unit ? [report.unit.id] : [], version: 1, reopenCount: 0, followers: 0,
            events: auto ? 2 : 1, audits: 0, outbox: auto ? 2 : 1,
          };
          const real: Real = { ...base, code: report.code, token: report.manage_token, parent: parent.code };
          await agree(model, real, 'as filed');
          await fc.asyncModelRun(() => ({ model, real }), cmds);
        }),
        { numRuns: runs, seed: FUZZ_SEED },
      );
      console.log(`workflow model [${engine}]: ${[...reached].sort().map(([k, n]) => `${k}×${n}`).join(', ')}`);
    }, Math.max(300_000, runs * 5_000));
  });
}
