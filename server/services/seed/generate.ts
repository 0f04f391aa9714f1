import { bbox as turfBbox, booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import type { ReportStatus } from '../../db/database.js';
import { h3CellsForPoint, type H3Cells } from '../../../spatial/h3-cells.js';
import { addWorkingDays, VN_MAKEUP_WORKDAYS, VN_PUBLIC_HOLIDAYS } from '../working-days.js';
import { logNormal, normal, pick, randomCode, substream, WeightedPicker, type Rng } from './prng.js';
import { insideTester, type InsideTest } from './point-in-ward.js';
import { asciiSlug, describe, EVENT_NOTES, personName, phoneNumber, placeFor, RATING_COMMENTS } from './text.js';

/**
 * Pure demo-report generator: given the wards, fields and units it returns
 * one report after another (with its timeline and rating), the same ones for
 * the same seed and `now`. No I/O, so it is unit-tested without a database.
 */

export interface GenWard {
  id: number;
  code: string;
  districtId: number;
  fullNameVi: string;
  geometry: Polygon | MultiPolygon;
}

export interface GenField {
  code: string;
  deadlineDays: number;
  handledAt: 'ward' | 'province';
}

export interface GenUnit {
  id: number;
  nameVi: string;
  /** Median resolution time as a share of the deadline; absent = drawn from the seed. */
  pace?: number;
}

export interface GeneratorInput {
  seed: number;
  now: Date;
  wards: GenWard[];
  fields: GenField[];
  /** Ward id → its People's Committee. */
  wardUnits: Map<number, GenUnit>;
  /** Province-level field code → the department or utility handling it. */
  fieldUnits: Map<string, GenUnit>;
  firstId: number;
  dispatcherId: number | null;
  officer: { id: number; unitId: number } | null;
  /** Codes already in the database, so appended reports never collide. */
  existingCodes?: Set<string>;
}

/** Event types match server/services/reports.ts: the status entered, or 'rated'. */
export interface GenEvent {
  type: ReportStatus | 'rated';
  from_status: ReportStatus | null;
  to_status: ReportStatus | null;
  note: string | null;
  actor_id: number | null;
  unit_id: number | null;
  created_at: Date;
}

export interface GenReport extends H3Cells {
  id: number;
  code: string;
  field_code: string;
  title: string;
  description: string;
  status: ReportStatus;
  lon: number;
  lat: number;
  ward_id: number;
  district_id: number;
  unit_id: number;
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  hide_name: boolean;
  follower_count: number;
  source: string;
  created_at: Date;
  updated_at: Date;
  assigned_at: Date | null;
  due_at: Date;
  resolved_at: Date | null;
  closed_at: Date | null;
  events: GenEvent[];
  rating: { satisfied: boolean; comment: string | null; created_at: Date } | null;
}

// ---- Calibration --------------------------------------------------------
// Read once from the Boston 311 2015 sample (/work/shared/data/boston311-2015-csv,
// 19,300 citizen-filed cases) and adapted to Vietnam; nothing reads that file at runtime.
// * Weekly rhythm: app reports Mon–Sun = 15.0/16.9/15.5/15.8/13.3/12.4/11.0 %,
//   i.e. weekends ≈ 0.75 of a weekday. Index 0 = Sunday.
const WEEKDAY_WEIGHT = [0.72, 1.0, 1.0, 0.97, 0.97, 0.9, 0.78];
// * Daily rhythm: Boston's app traffic is flat 7:00–19:00 (≈6.5 %/h) with a
//   night trough (<1 %/h 0–5h). Vietnamese portals show a morning peak before
//   office hours, a lunch-and-nap dip, and an evening peak after dinner.
const HOUR_WEIGHT = [0.6, 0.3, 0.2, 0.2, 0.4, 1.2, 3.0, 6.5, 7.5, 7.5, 6.0, 4.5, 3.0, 3.2, 4.2, 4.5, 4.6, 4.8, 6.2, 7.2, 7.0, 5.2, 3.0, 1.5];
// * Handling time vs target: Boston's ratio closed/target is log-normal
//   (median 0.41, σ_log 2.6, 28 % late) — far too wide for a portal with a
//   legal deadline. We keep the log-normal shape with a narrower per-unit σ
//   and per-unit medians, which lands near 10 % overdue overall.
const HANDLING_SIGMA = 0.5;
// Growth over the year: the last day gets 1 + GROWTH times the first day's volume.
const GROWTH = 0.35;
const DAYS = 365;
const REJECTED_SHARE = 0.03;
const RATED_SHARE = 0.4;
const STUCK_PACE = 0.7;

const HOUR_MS = 3600_000;
const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * HOUR_MS;

// Field mix in a city ward; rural wards shift toward roads, land and power.
const FIELD_MIX_URBAN: Record<string, number> = {
  road: 15, lighting: 11, waste: 15, water: 8, power: 6, urban_order: 16, environment: 11, land: 4, trees: 6, public_safety: 5, official_attitude: 3,
};
const FIELD_MIX_RURAL: Record<string, number> = {
  road: 26, lighting: 6, waste: 9, water: 7, power: 12, urban_order: 4, environment: 9, land: 14, trees: 4, public_safety: 5, official_attitude: 4,
};
// The rainy season (May–November in the highlands) breaks roads and trees and cuts power.
const RAINY_BOOST: Record<string, number> = { road: 1.3, trees: 1.5, power: 1.25, water: 1.2 };

// Relative report volume per ward, standing in for population × urbanisation
// (GSO 2019 census: the five Buôn Ma Thuột wards and Tuy Hoà hold the densest population).
const WARD_WEIGHT: Record<string, number> = {
  '24133': 14, '24121': 10, '24163': 8, '24154': 7, '24169': 6,
  '22015': 9, '22240': 5, '22045': 4, '22051': 3, '22261': 3, '22258': 3, '22076': 2,
  '24305': 4, '24340': 2.5,
  // Communes that were district towns (thị trấn) before 2025.
  '24175': 1.5, '24490': 1.5, '24373': 1.3, '24280': 1.2, '24259': 1.0, '24538': 1.0, '24184': 1.0,
  '24343': 1.0, '22319': 0.9, '24211': 0.8, '24412': 0.8, '24448': 0.8, '24580': 0.8, '24310': 0.8,
  '22165': 0.8, '22207': 0.8, '22081': 0.8, '22255': 0.8, '24235': 0.7,
};
// Known town centres: used as a ward's main hotspot when they fall inside it.
const CENTRES: [number, number][] = [
  [108.0383, 12.6667], // Ngã Sáu Ban Mê, Buôn Ma Thuột
  [109.3166, 13.0887], // Tuy Hoà centre
  [108.2700, 12.9130], // Buôn Hồ centre
];

interface Hotspot {
  lon: number;
  lat: number;
  sigmaDeg: number;
}

interface WardModel {
  ward: GenWard;
  urban: boolean;
  bbox: [number, number, number, number];
  inside: InsideTest;
  hotspots: WeightedPicker<Hotspot>;
  background: number;
  fieldsDry: WeightedPicker<GenField>;
  fieldsRainy: WeightedPicker<GenField>;
  unit: GenUnit;
}

export interface ReportGenerator {
  next(): GenReport;
}

/** Builds the per-ward models once, then hands out reports one by one. */
export function createReportGenerator(input: GeneratorInput): ReportGenerator {
  if (!input.wards.length) throw new Error('No wards to seed into; load the geography first');
  const rng = substream(input.seed, 'reports');
  const codeRng = substream(input.seed, 'codes');
  const setupRng = substream(input.seed, 'setup');
  const nowMs = input.now.getTime();
  const usedCodes = new CodeSet(input.existingCodes ?? []);

  const fieldByCode = new Map(input.fields.map((f) => [f.code, f]));
  const models = input.wards.map((ward) => buildWardModel(setupRng, ward, input, fieldByCode));
  const wardPicker = new WeightedPicker(models.map((m) => {
    const w = WARD_WEIGHT[m.ward.code] ?? (m.urban ? 2.5 : 0.5);
    // ±30 % so that similar communes do not all look identical on the map.
    return [m, w * (0.7 + 0.6 * setupRng())] as const;
  }));
  const paceByUnit = new Map<number, number>();
  const paceOf = (unit: GenUnit) => {
    let pace = unit.pace ?? paceByUnit.get(unit.id);
    if (pace === undefined) {
      // A quarter of ward committees are quick, a fifth chronically late.
      const r = setupRng();
      pace = r < 0.25 ? 0.25 + 0.1 * setupRng() : r < 0.82 ? 0.35 + 0.15 * setupRng() : 0.7 + 0.2 * setupRng();
      paceByUnit.set(unit.id, pace);
    }
    return pace;
  };
  const hourPicker = new WeightedPicker(HOUR_WEIGHT.map((w, h) => [h, w] as const));
  // Local midnight of the first day of the window.
  const todayLocal = Math.floor((nowMs + VN_OFFSET_MS) / DAY_MS) * DAY_MS;
  const windowStartLocal = todayLocal - (DAYS - 1) * DAY_MS;

  function createdAt(): Date {
    for (;;) {
      const u = rng();
      // Inverse CDF of a density rising linearly by GROWTH across the window.
      const x = (-1 + Math.sqrt(1 + 2 * GROWTH * u * (1 + GROWTH / 2))) / GROWTH;
      const dayLocal = windowStartLocal + Math.min(DAYS - 1, Math.floor(x * DAYS)) * DAY_MS;
      const weekday = new Date(dayLocal).getUTCDay();
      if (rng() > WEEKDAY_WEIGHT[weekday]) continue;
      const local = dayLocal + hourPicker.pick(rng) * HOUR_MS + Math.floor(rng() * HOUR_MS);
      const t = local - VN_OFFSET_MS;
      if (t < nowMs) return new Date(t);
    }
  }

  // addWorkingDays keeps the time of day, so the deadline of every report of
  // one local day is that day's deadline shifted; memoised, it costs nothing.
  const dueByDay = new Map<number, number>();
  function dueAt(created: Date, days: number): Date {
    const t = created.getTime();
    const midnight = Math.floor((t + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
    const key = midnight * 100 + days;
    let due = dueByDay.get(key);
    if (due === undefined) {
      due = addWorkingDays(new Date(midnight), days, VN_PUBLIC_HOLIDAYS, VN_MAKEUP_WORKDAYS).getTime();
      dueByDay.set(key, due);
    }
    return new Date(due + (t - midnight));
  }

  let nextId = input.firstId;

  function next(): GenReport {
    const model = wardPicker.pick(rng);
    const [lon, lat] = samplePoint(rng, model);
    const created = createdAt();
    const month = new Date(created.getTime() + VN_OFFSET_MS).getUTCMonth() + 1;
    const field = (month >= 5 && month <= 11 ? model.fieldsRainy : model.fieldsDry).pick(rng);
    const unit = field.handledAt === 'ward' ? model.unit : input.fieldUnits.get(field.code);
    if (!unit) throw new Error(`No unit handles field ${field.code}`);
    const due = dueAt(created, field.deadlineDays);

    const place = placeFor(rng, model.ward.code, model.ward.fullNameVi, model.urban);
    const { title, description } = describe(rng, field.code, place);
    const timeline = lifecycle(rng, created, due, unit, paceOf(unit), nowMs, input);

    const named = rng() < 0.62;
    const reporterName = named ? personName(rng, !model.urban && model.ward.code.startsWith('24')) : null;
    const phone = named && rng() < 0.9 ? phoneNumber(rng) : null;
    const email = named && rng() < 0.3 ? `${asciiSlug(reporterName!)}${10 + Math.floor(rng() * 90)}@example.com` : null;
    const src = rng();

    let code = randomCode(codeRng);
    while (usedCodes.has(code)) code = randomCode(codeRng);
    usedCodes.add(code);

    const last = timeline.events[timeline.events.length - 1];
    return {
      id: nextId++,
      code,
      field_code: field.code,
      title,
      description,
      status: timeline.status,
      lon,
      lat,
      ...h3CellsForPoint([lon, lat]),
      ward_id: model.ward.id,
      district_id: model.ward.districtId,
      unit_id: unit.id,
      reporter_name: reporterName,
      reporter_phone: phone,
      reporter_email: email,
      hide_name: named && rng() < 0.25,
      // Most reports have no followers; popular nuisances collect a few.
      follower_count: Math.min(40, Math.floor(-Math.log(1 - rng()) * (rng() < 0.1 ? 4 : 0.6))),
      source: src < 0.55 ? 'app' : src < 0.82 ? 'web' : 'hotline',
      created_at: created,
      updated_at: last.created_at,
      assigned_at: timeline.assignedAt,
      due_at: due,
      resolved_at: timeline.resolvedAt,
      closed_at: timeline.closedAt,
      events: timeline.events,
      rating: timeline.rating,
    };
  }

  return { next };
}

/**
 * The codes handed out so far. A V8 Set holds at most 2^24 (16,777,216)
 * entries, fewer than a 20,000,000-report seed needs, so the codes are spread
 * over one Set per first character.
 */
class CodeSet {
  readonly #byFirst = new Map<string, Set<string>>();

  constructor(codes: Iterable<string>) {
    for (const code of codes) this.add(code);
  }

  has(code: string): boolean {
    return this.#byFirst.get(code[0])?.has(code) ?? false;
  }

  add(code: string): void {
    let set = this.#byFirst.get(code[0]);
    if (!set) this.#byFirst.set(code[0], (set = new Set()));
    set.add(code);
  }
}

function buildWardModel(rng: Rng, ward: GenWard, input: GeneratorInput, fieldByCode: Map<string, GenField>): WardModel {
  const urban = !ward.fullNameVi.startsWith('Xã');
  const bbox = turfBbox(ward.geometry) as [number, number, number, number];
  const inside = insideTester(ward.geometry, bbox);
  const hotspots: [Hotspot, number][] = [];
  // Urban hotspots are a few hundred metres wide (a market, a main street);
  // rural ones a village centre a couple of kilometres across.
  const count = urban ? 4 + Math.floor(rng() * 3) : 2 + Math.floor(rng() * 2);
  const centre = CENTRES.find((c) => booleanPointInPolygon(c, ward.geometry, { ignoreBoundary: true }));
  if (centre) hotspots.push([{ lon: centre[0], lat: centre[1], sigmaDeg: metresToDeg(urban ? 600 : 1500) }, 3]);
  while (hotspots.length < count) {
    const [lon, lat] = uniformInside(rng, inside, bbox);
    const sigmaM = urban ? 250 + 350 * rng() : 600 + 1400 * rng();
    hotspots.push([{ lon, lat, sigmaDeg: metresToDeg(sigmaM) }, 0.3 + rng() * rng() * 2]);
  }
  const unit = input.wardUnits.get(ward.id);
  if (!unit) throw new Error(`Ward ${ward.code} has no People's Committee unit`);
  const mix = (rainy: boolean) => new WeightedPicker(input.fields.map((f) => {
    const base = (urban ? FIELD_MIX_URBAN : FIELD_MIX_RURAL)[f.code] ?? 3;
    return [fieldByCode.get(f.code)!, base * (rainy ? RAINY_BOOST[f.code] ?? 1 : 1)] as const;
  }));
  return {
    ward, urban, bbox, inside, unit,
    hotspots: new WeightedPicker(hotspots),
    // Share of reports scattered anywhere in the ward rather than near a hotspot.
    background: urban ? 0.15 : 0.3,
    fieldsDry: mix(false),
    fieldsRainy: mix(true),
  };
}

function metresToDeg(m: number): number {
  return m / 111_320;
}

// 6 decimals ≈ 0.1 m; rounding before the inside test keeps the stored point inside.
const round6 = (v: number) => Math.round(v * 1e6) / 1e6;

function uniformInside(rng: Rng, inside: InsideTest, bbox: [number, number, number, number]): [number, number] {
  for (let i = 0; i < 10_000; i++) {
    const p: [number, number] = [round6(bbox[0] + (bbox[2] - bbox[0]) * rng()), round6(bbox[1] + (bbox[3] - bbox[1]) * rng())];
    if (inside(p)) return p;
  }
  throw new Error('Could not sample a point inside a ward polygon');
}

/** A point strictly inside the ward: near a hotspot mostly, anywhere sometimes (rejection sampling). */
function samplePoint(rng: Rng, model: WardModel): [number, number] {
  for (let attempt = 0; attempt < 30; attempt++) {
    let p: [number, number];
    if (rng() < model.background) {
      p = [model.bbox[0] + (model.bbox[2] - model.bbox[0]) * rng(), model.bbox[1] + (model.bbox[3] - model.bbox[1]) * rng()];
    } else {
      const h = model.hotspots.pick(rng);
      // A degree of longitude is shorter than a degree of latitude by cos(lat).
      p = [h.lon + (normal(rng) * h.sigmaDeg) / Math.cos((h.lat * Math.PI) / 180), h.lat + normal(rng) * h.sigmaDeg];
    }
    p = [round6(p[0]), round6(p[1])];
    if (model.inside(p)) return p;
  }
  return uniformInside(rng, model.inside, model.bbox);
}

// Staff act in office hours (7:30–17:00 local, weekdays): an action that
// would fall outside them is moved to the next working morning.
const workingDayCache = new Map<number, boolean>();
function isWorkingDay(localDay: number): boolean {
  let working = workingDayCache.get(localDay);
  if (working === undefined) {
    const d = new Date(localDay * DAY_MS);
    const ymd = d.toISOString().slice(0, 10);
    working = VN_MAKEUP_WORKDAYS.has(ymd) || (d.getUTCDay() !== 0 && d.getUTCDay() !== 6 && !VN_PUBLIC_HOLIDAYS.has(ymd));
    workingDayCache.set(localDay, working);
  }
  return working;
}

function officeTime(rng: Rng, t: number): number {
  for (let i = 0; i < 30; i++) {
    const localMs = t + VN_OFFSET_MS;
    const minutes = Math.floor((localMs % DAY_MS) / 60_000);
    const working = isWorkingDay(Math.floor(localMs / DAY_MS));
    if (working && minutes >= 450 && minutes < 1020) return t;
    const midnight = Math.floor((t + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;
    const morning = midnight + 450 * 60_000 + Math.floor(rng() * 90 * 60_000);
    t = working && minutes < 450 ? morning : morning + DAY_MS;
  }
  return t;
}

interface Timeline {
  /** The status the last step left the report in. */
  status: ReportStatus;
  events: GenEvent[];
  assignedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  rating: GenReport['rating'];
}

/**
 * Plans the whole life of a report from its creation, then keeps the steps
 * that happened before `now`: old reports end resolved or closed, recent ones
 * are caught mid-way, exactly as a live system would show them.
 */
function lifecycle(rng: Rng, created: Date, due: Date, unit: GenUnit, pace: number, nowMs: number, input: GeneratorInput): Timeline {
  const c = created.getTime();
  const events: GenEvent[] = [{ type: 'received', from_status: null, to_status: 'received', note: EVENT_NOTES.received, actor_id: null, unit_id: null, created_at: created }];
  const result: Timeline = { status: 'received', events, assignedAt: null, resolvedAt: null, closedAt: null, rating: null };
  const step = (to: ReportStatus, at: number, note: string, actor: number | null, unitId: number | null) => {
    if (at > nowMs) return false;
    events.push({ type: to, from_status: result.status, to_status: to, note, actor_id: actor, unit_id: unitId, created_at: new Date(at) });
    result.status = to;
    return true;
  };
  const dispatcher = input.dispatcherId;
  const officer = input.officer && input.officer.unitId === unit.id ? input.officer.id : null;

  const verifiedAt = officeTime(rng, c + logNormal(rng, 2 * HOUR_MS, 0.9));
  if (rng() < REJECTED_SHARE) {
    step('rejected', verifiedAt, pick(rng, EVENT_NOTES.rejected), dispatcher, null);
    return result;
  }
  if (!step('verified', verifiedAt, pick(rng, EVENT_NOTES.verified), dispatcher, null)) return result;
  const assignedAt = officeTime(rng, verifiedAt + logNormal(rng, 3 * HOUR_MS, 0.9));
  if (!step('assigned', assignedAt, EVENT_NOTES.assigned.replace('{unit}', unit.nameVi), dispatcher, unit.id)) return result;
  result.assignedAt = new Date(assignedAt);
  // The unit's pace sets when the work ends; the visit to the site falls in between.
  const allowed = due.getTime() - c;
  const target = Math.max(assignedAt + 2 * HOUR_MS, c + allowed * logNormal(rng, pace, HANDLING_SIGMA));
  const startedAt = officeTime(rng, assignedAt + (target - assignedAt) * (0.1 + 0.4 * rng()));
  if (!step('in_progress', startedAt, pick(rng, EVENT_NOTES.in_progress), officer, unit.id)) return result;
  // A chronically late unit leaves some reports stuck for months: the open
  // overdue backlog a leader's dashboard exists to show.
  if (rng() < (pace >= STUCK_PACE ? 0.05 : 0.003)) return result;
  const resolvedAt = officeTime(rng, Math.max(startedAt + HOUR_MS, target));
  if (!step('resolved', resolvedAt, pick(rng, EVENT_NOTES.resolved), officer, unit.id)) return result;
  result.resolvedAt = new Date(resolvedAt);

  // As in the live workflow, a satisfied rating closes the report at once; an
  // unrated one is closed by the office after a few days, or sometimes never.
  const ratedAt = resolvedAt + logNormal(rng, 20 * HOUR_MS, 1);
  if (rng() < RATED_SHARE && ratedAt <= nowMs) {
    // Lateness as a share of the allowed time: on time ≈ 85 % satisfied, very late ≈ 30 %.
    const lateness = Math.max(0, (resolvedAt - due.getTime()) / allowed);
    const satisfied = rng() < 0.85 - 0.55 * Math.min(1, lateness * 1.5);
    const comment = rng() < 0.5 ? pick(rng, satisfied ? RATING_COMMENTS.satisfied : RATING_COMMENTS.dissatisfied) : null;
    result.rating = { satisfied, comment, created_at: new Date(ratedAt) };
    events.push({ type: 'rated', from_status: null, to_status: null, note: null, actor_id: null, unit_id: unit.id, created_at: new Date(ratedAt) });
    if (satisfied) {
      step('closed', ratedAt, EVENT_NOTES.closed, null, unit.id);
      result.closedAt = new Date(ratedAt);
    }
  } else if (rng() < 0.8) {
    const closedAt = resolvedAt + logNormal(rng, 2.5 * DAY_MS, 0.7);
    if (step('closed', closedAt, EVENT_NOTES.closed, null, unit.id)) result.closedAt = new Date(closedAt);
  }
  return result;
}
