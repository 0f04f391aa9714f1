import type { Kysely } from 'kysely';
import type { Database, PlanLevel } from '../db/database.js';
import { checkGeometries, hasSrid, insertPlan, insertZones, listLandUseClasses, type NewZoneInput } from '../db/planning.repo.js';
import { DomainError } from '../errors.js';
import { invalidatePlanningTiles } from './planning-tiles.js';

/** CRSs the importer accepts: WGS84, VN-2000 geographic, VN-2000 UTM 48N/49N and the VN-2000 TM-3 zones. */
export const ACCEPTED_SRIDS = new Set([4326, 4756, 3405, 3406, ...Array.from({ length: 14 }, (_, i) => 9205 + i)]);
const GEOGRAPHIC = new Set([4326, 4756]);

/** Our zone fields that a source property can be mapped to. */
export const MAPPABLE_FIELDS = ['code', 'label', 'max_height_m', 'max_floors', 'density_pct', 'far', 'min_lot_m2', 'notes'] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

const DEFAULT_MAP: Record<MappableField, string[]> = {
  code: ['code', 'land_use', 'land_use_code', 'MaLoaiDat', 'MALOAIDAT', 'KyHieu', 'KYHIEU'],
  label: ['label', 'name', 'Ten', 'TEN', 'KyHieuO'],
  max_height_m: ['max_height_m', 'ChieuCao', 'CHIEUCAO'],
  max_floors: ['max_floors', 'TangCao', 'TANGCAO', 'SoTang'],
  density_pct: ['density_pct', 'MatDo', 'MATDO', 'MDXD'],
  far: ['far', 'HeSoSDD', 'HSSDD'],
  min_lot_m2: ['min_lot_m2', 'DienTichToiThieu'],
  notes: ['notes', 'GhiChu', 'GHICHU'],
};

export interface ImportOptions {
  plan: { name: string; level?: PlanLevel; authority?: string; decision_number?: string; decision_date?: string; scale?: string; source?: string };
  /** EPSG code of the coordinates; defaults to the file's `crs` member, else 4326. */
  srid?: number;
  /** Our field → source property name. */
  map?: Partial<Record<MappableField, string>>;
  /** Source code → our land-use code; a trailing * matches a prefix ("R*": "ODT"). */
  codes?: Record<string, string>;
  /** Import the valid features and skip the rejected ones instead of refusing the file. */
  skipRejected?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface RejectedFeature {
  index: number;
  id: string | number | null;
  reason: string;
}

export interface ImportReport {
  plan_id: number | null;
  total: number;
  imported: number;
  repaired: number;
  rejected: RejectedFeature[];
}

const BATCH = 250;

/** Reads `crs` like "urn:ogc:def:crs:EPSG::3405", "EPSG:4326" or CRS84. */
export function sridFromCrsMember(crs: unknown): number | undefined {
  const name = (crs as { properties?: { name?: unknown } } | undefined)?.properties?.name;
  if (typeof name !== 'string') return undefined;
  if (/CRS84$/i.test(name)) return 4326;
  const m = /EPSG:{1,2}(\d+)$/i.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Accepts "EPSG:3405", "epsg:9218" or "3405". */
export function parseCrs(text: string): number {
  const m = /^(?:EPSG:)?(\d{4,5})$/i.exec(text.trim());
  if (!m) throw new DomainError('validation_failed', 'Some fields are invalid', { crs: `Not an EPSG code: ${text} (use e.g. EPSG:4326 or EPSG:9218)` });
  return Number(m[1]);
}

function positions(geometry: GeoJSON.Geometry): number[][] {
  if (geometry.type === 'Polygon') return geometry.coordinates.flat();
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat(2);
  return [];
}

/** Structural checks PostGIS would otherwise answer with a statement error; closes open rings. */
function checkStructure(geometry: unknown): { geometry?: GeoJSON.Polygon | GeoJSON.MultiPolygon; reason?: string; repaired?: boolean } {
  const g = geometry as GeoJSON.Geometry | null;
  if (!g || typeof g !== 'object') return { reason: 'no geometry' };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return { reason: `geometry type ${String(g.type)} is not a polygon` };
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  if (!Array.isArray(polys) || polys.length === 0) return { reason: 'empty geometry' };
  let repaired = false;
  for (const poly of polys) {
    if (!Array.isArray(poly) || poly.length === 0) return { reason: 'polygon without rings' };
    for (const ring of poly) {
      if (!Array.isArray(ring)) return { reason: 'malformed ring' };
      for (const p of ring) {
        if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return { reason: 'a coordinate is not a pair of numbers' };
      }
      const [a, b] = [ring[0], ring[ring.length - 1]];
      if (a[0] !== b[0] || a[1] !== b[1]) {
        ring.push([a[0], a[1]]);
        repaired = true;
      }
      if (ring.length < 4) return { reason: `a ring has ${ring.length} positions; at least 4 are needed` };
    }
  }
  return { geometry: g, repaired };
}

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(String(v).replace(',', '.'));
  return Number.isFinite(n) ? n : null;
};

/**
 * Imports a GeoJSON FeatureCollection of planning zones as one new plan, in
 * one transaction: either every accepted feature lands or nothing does.
 */
export async function importPlanning(db: Kysely<Database>, input: unknown, options: ImportOptions): Promise<ImportReport> {
  const fc = input as GeoJSON.FeatureCollection & { crs?: unknown };
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new DomainError('invalid_file', 'The file is not a GeoJSON FeatureCollection');
  }
  if (!options.plan.name?.trim()) throw new DomainError('validation_failed', 'Some fields are invalid', { plan: 'A plan name is required' });
  const declared = sridFromCrsMember(fc.crs);
  if (options.srid && declared && declared !== options.srid) {
    throw new DomainError('crs_mismatch', `The file declares EPSG:${declared} but --crs says EPSG:${options.srid}; check which one is right`);
  }
  const srid = options.srid ?? declared ?? 4326;
  if (!ACCEPTED_SRIDS.has(srid)) {
    throw new DomainError('unsupported_crs', `EPSG:${srid} is not supported; use WGS84 (EPSG:4326) or VN-2000 (EPSG:4756, 3405, 3406, 9205–9218)`);
  }
  if (!(await hasSrid(db, srid))) throw new DomainError('unsupported_crs', `This database does not know EPSG:${srid}`);

  const classes = new Set((await listLandUseClasses(db)).map((c) => c.code));
  const total = fc.features.length;
  const rejected: RejectedFeature[] = [];
  let repaired = 0;
  const staged: { index: number; id: string | number | null; zone: Omit<NewZoneInput, 'geometry'>; geometry: GeoJSON.Geometry }[] = [];

  const prop = (props: Record<string, unknown>, field: MappableField) => {
    const mapped = options.map?.[field];
    if (mapped) return props[mapped];
    for (const name of DEFAULT_MAP[field]) if (props[name] !== undefined) return props[name];
    return undefined;
  };
  const mapCode = (raw: string): string | undefined => {
    const codes = options.codes ?? {};
    if (codes[raw]) return codes[raw];
    const prefix = Object.keys(codes).filter((k) => k.endsWith('*') && raw.startsWith(k.slice(0, -1))).sort((a, b) => b.length - a.length)[0];
    if (prefix) return codes[prefix];
    return raw.toUpperCase();
  };

  fc.features.forEach((feature, index) => {
    const id = (feature?.id as string | number | undefined) ?? null;
    const props = (feature?.properties ?? {}) as Record<string, unknown>;
    const structure = checkStructure(feature?.geometry);
    if (!structure.geometry) return void rejected.push({ index, id, reason: structure.reason! });
    const rawCode = prop(props, 'code');
    if (rawCode === undefined || rawCode === null || rawCode === '') return void rejected.push({ index, id, reason: 'no land-use code (map one with --map code=PROPERTY)' });
    const code = mapCode(String(rawCode).trim());
    if (!code || !classes.has(code)) return void rejected.push({ index, id, reason: `unknown land-use code ${String(rawCode)} (map it with --codes ${String(rawCode)}=ODT)` });
    if (structure.repaired) repaired++;
    const label = prop(props, 'label');
    const notes = prop(props, 'notes');
    staged.push({
      index, id, geometry: structure.geometry,
      zone: {
        land_use_code: code,
        label: label == null ? null : String(label).slice(0, 200),
        max_height_m: num(prop(props, 'max_height_m')), max_floors: num(prop(props, 'max_floors')),
        density_pct: num(prop(props, 'density_pct')), far: num(prop(props, 'far')), min_lot_m2: num(prop(props, 'min_lot_m2')),
        notes: notes == null ? null : String(notes).slice(0, 2000),
        source_ref: id === null ? `#${index}` : String(id),
      },
    });
  });

  // A wrong CRS shows in the numbers before PostGIS sees them: degrees are small, metres are not.
  const coords = staged.flatMap((s) => positions(s.geometry));
  if (coords.length) {
    const looksGeographic = coords.every(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90);
    if (GEOGRAPHIC.has(srid) && !looksGeographic) {
      const sample = coords.find(([x, y]) => Math.abs(x) > 180 || Math.abs(y) > 90)!;
      throw new DomainError('wrong_crs', `Coordinates such as [${sample[0]}, ${sample[1]}] are not degrees, so the file is not in EPSG:${srid}; it looks projected: pass its CRS with --crs (VN-2000: EPSG:9218 for Đắk Lắk's TM-3 zone, EPSG:3405 for UTM 48N)`);
    }
    if (!GEOGRAPHIC.has(srid) && looksGeographic) {
      throw new DomainError('wrong_crs', `Coordinates such as [${coords[0][0]}, ${coords[0][1]}] look like degrees, not metres of EPSG:${srid}; drop --crs or pass EPSG:4326`);
    }
  }

  const report = await db.transaction().execute(async (trx) => {
    const planId = await insertPlan(trx, {
      name: options.plan.name.trim(), level: options.plan.level ?? 'detailed', authority: options.plan.authority ?? null,
      decision_number: options.plan.decision_number ?? null, decision_date: options.plan.decision_date ?? null,
      scale: options.plan.scale ?? null, status: 'in_force', source: options.plan.source ?? 'import', is_demo: false,
    });
    let imported = 0;
    for (let start = 0; start < staged.length; start += BATCH) {
      const batch = staged.slice(start, start + BATCH);
      const checked = await checkGeometries(trx, srid, batch.map((s, k) => ({ i: k, g: JSON.stringify(s.geometry) })));
      const zones: NewZoneInput[] = [];
      for (const c of checked) {
        const s = batch[c.i];
        if (c.empty || !c.geometry) {
          rejected.push({ index: s.index, id: s.id, reason: `invalid geometry that cannot be repaired${c.reason ? ` (${c.reason})` : ''}` });
          continue;
        }
        if (c.xmin! < -180 || c.xmax! > 180 || c.ymin! < -90 || c.ymax! > 90) {
          throw new DomainError('wrong_crs', `Feature ${s.index} lands outside the globe after reprojection from EPSG:${srid}; the CRS is wrong`);
        }
        if (!c.valid) repaired++;
        zones.push({ ...s.zone, geometry: JSON.parse(c.geometry) });
      }
      imported += await insertZones(trx, planId, zones);
      options.onProgress?.(Math.min(start + BATCH, staged.length) + (total - staged.length), total);
    }
    rejected.sort((a, b) => a.index - b.index);
    if (rejected.length && !options.skipRejected) {
      const list = rejected.slice(0, 20).map((r) => `#${r.index}${r.id !== null ? ` (id ${r.id})` : ''}: ${r.reason}`).join('; ');
      throw new DomainError('features_rejected', `${rejected.length} of ${total} features were rejected, so nothing was imported: ${list}`, Object.fromEntries(rejected.slice(0, 100).map((r) => [`features.${r.index}`, r.reason])));
    }
    if (imported === 0) throw new DomainError('nothing_to_import', 'The file has no importable features; nothing was imported');
    return { plan_id: planId, total, imported, repaired, rejected };
  });
  invalidatePlanningTiles(db);
  return report;
}
