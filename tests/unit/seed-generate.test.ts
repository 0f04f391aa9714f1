import { booleanPointInPolygon } from '@turf/turf';
import { beforeAll, describe, expect, it } from 'vitest';
import { readWards } from '../../server/services/geography.js';
import { createReportGenerator, type GenReport, type GeneratorInput, type GenWard } from '../../server/services/seed/generate.js';
import { mulberry32, randomCode } from '../../server/services/seed/prng.js';
import { PROVINCIAL_UNITS, PROVINCIAL_UNIT_BY_FIELD, SEED_FIELDS } from '../../server/services/seed/reference.js';
import { CODE_PATTERN } from '../../server/services/report-code.js';
import { addWorkingDays, VN_MAKEUP_WORKDAYS, VN_PUBLIC_HOLIDAYS } from '../../server/services/working-days.js';

// The generator is pure: wards come from the geography fixture with made-up ids.
const NOW = new Date('2026-03-02T04:00:00Z');
let wards: GenWard[];

function input(seed: number): GeneratorInput {
  const wardUnits = new Map(wards.map((w) => [w.id, { id: 1000 + w.id, nameVi: `UBND ${w.fullNameVi}` }]));
  const fieldUnits = new Map(Object.entries(PROVINCIAL_UNIT_BY_FIELD).map(([field, code], i) => {
    const unit = PROVINCIAL_UNITS.find((u) => u.code === code)!;
    return [field, { id: 2000 + i, nameVi: unit.name_vi, pace: unit.pace }];
  }));
  return {
    seed, now: NOW, wards, wardUnits, fieldUnits, firstId: 1, dispatcherId: 7, officer: { id: 8, unitId: 1001 },
    fields: SEED_FIELDS.map((f) => ({ code: f.code, deadlineDays: f.deadline_days, handledAt: f.handled_at })),
  };
}

function generate(seed: number, n: number): GenReport[] {
  const gen = createReportGenerator(input(seed));
  return Array.from({ length: n }, () => gen.next());
}

beforeAll(() => {
  wards = readWards().features.map((f, i) => ({
    id: i + 1, code: f.properties.code, districtId: 500, fullNameVi: f.properties.fullName.normalize('NFC'), geometry: f.geometry,
  }));
});

describe('mulberry32 and codes', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('makes codes in the live format', () => {
    const rng = mulberry32(1);
    for (let i = 0; i < 100; i++) expect(randomCode(rng)).toMatch(CODE_PATTERN);
  });
});

describe('createReportGenerator', () => {
  let reports: GenReport[];
  beforeAll(() => {
    reports = generate(1, 20_000);
  }, 60_000);

  it('gives the same reports for the same seed and different ones for another', () => {
    const again = generate(1, 200);
    expect(again).toEqual(reports.slice(0, 200));
    const other = generate(2, 200);
    expect(other.map((r) => r.code)).not.toEqual(again.map((r) => r.code));
  });

  it('puts every point strictly inside the ward it names', () => {
    const byId = new Map(wards.map((w) => [w.id, w]));
    for (const r of reports.slice(0, 3000)) {
      expect(booleanPointInPolygon([r.lon, r.lat], byId.get(r.ward_id)!.geometry, { ignoreBoundary: true }), r.code).toBe(true);
      expect(r.district_id).toBe(500);
    }
  });

  it('gives unique codes and consecutive ids', () => {
    expect(new Set(reports.map((r) => r.code)).size).toBe(reports.length);
    expect(reports.map((r) => r.id)).toEqual(reports.map((_, i) => i + 1));
  });

  it('spreads reports over the year before now, busier in urban wards', () => {
    const year = 365 * 86_400_000;
    for (const r of reports) {
      expect(r.created_at.getTime()).toBeLessThan(NOW.getTime());
      expect(r.created_at.getTime()).toBeGreaterThan(NOW.getTime() - year - 86_400_000);
    }
    const bmt = wards.find((w) => w.code === '24133')!;
    const share = reports.filter((r) => r.ward_id === bmt.id).length / reports.length;
    // One ward of 102, but the provincial capital's centre: far more than 1/102.
    expect(share).toBeGreaterThan(0.06);
    const urban = reports.filter((r) => !byWard(r).fullNameVi.startsWith('Xã')).length / reports.length;
    expect(urban).toBeGreaterThan(0.5);
  });

  it('has the daily rhythm: evening peak above the small hours', () => {
    const hour = (r: GenReport) => (r.created_at.getUTCHours() + 7) % 24;
    const evening = reports.filter((r) => hour(r) >= 18 && hour(r) < 21).length;
    const night = reports.filter((r) => hour(r) >= 1 && hour(r) < 4).length;
    expect(evening).toBeGreaterThan(night * 10);
  });

  it('has a realistic status mix and about 10% overdue', () => {
    const count = (s: string) => reports.filter((r) => r.status === s).length / reports.length;
    expect(count('resolved') + count('closed')).toBeGreaterThan(0.8);
    expect(count('rejected')).toBeGreaterThan(0.02);
    expect(count('rejected')).toBeLessThan(0.04);
    const open = ['received', 'verified', 'assigned', 'in_progress'];
    expect(open.reduce((s, st) => s + count(st), 0)).toBeGreaterThan(0.01);
    const overdue = reports.filter((r) => r.status !== 'rejected' && (r.resolved_at ?? NOW) > r.due_at).length / reports.length;
    expect(overdue).toBeGreaterThan(0.07);
    expect(overdue).toBeLessThan(0.13);
    // Old reports are mostly finished, but slow units leave a visible overdue backlog.
    const monthAgo = NOW.getTime() - 30 * 86_400_000;
    const oldOpen = reports.filter((r) => open.includes(r.status) && r.created_at.getTime() < monthAgo).length;
    expect(oldOpen / reports.length).toBeLessThan(0.03);
    const openOverdue = reports.filter((r) => open.includes(r.status) && r.due_at < NOW).length;
    expect(openOverdue / reports.length).toBeGreaterThan(0.003);
  });

  it('keeps timestamps, deadlines and the timeline consistent with the status', () => {
    for (const r of reports.slice(0, 3000)) {
      const field = SEED_FIELDS.find((f) => f.code === r.field_code)!;
      expect(r.due_at).toEqual(addWorkingDays(r.created_at, field.deadline_days, VN_PUBLIC_HOLIDAYS, VN_MAKEUP_WORKDAYS));
      expect(r.events[0]).toMatchObject({ type: 'received', to_status: 'received' });
      const steps = r.events.filter((e) => e.to_status !== null);
      expect(steps.at(-1)!.to_status).toBe(r.status);
      for (let i = 1; i < r.events.length; i++) expect(r.events[i].created_at >= r.events[i - 1].created_at, r.code).toBe(true);
      expect(r.updated_at).toEqual(r.events.at(-1)!.created_at);
      expect(r.resolved_at !== null).toBe(r.status === 'resolved' || r.status === 'closed');
      expect(r.closed_at !== null).toBe(r.status === 'closed');
      if (r.rating) expect(['resolved', 'closed']).toContain(r.status);
      if (r.reporter_phone) expect(r.reporter_phone).toMatch(/^0\d{9}$/);
    }
  });

  it('rates about 40% of finished reports, less happily when late', () => {
    const finished = reports.filter((r) => r.status === 'resolved' || r.status === 'closed');
    const rated = finished.filter((r) => r.rating);
    expect(rated.length / finished.length).toBeGreaterThan(0.33);
    expect(rated.length / finished.length).toBeLessThan(0.45);
    const happy = (rs: GenReport[]) => rs.filter((r) => r.rating!.satisfied).length / rs.length;
    const late = rated.filter((r) => r.resolved_at! > r.due_at);
    const onTime = rated.filter((r) => r.resolved_at! <= r.due_at);
    expect(happy(onTime)).toBeGreaterThan(happy(late) + 0.2);
    expect(happy(rated)).toBeLessThan(0.95);
  });
});

function byWard(r: GenReport): GenWard {
  return wards[r.ward_id - 1];
}
