import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import type { Kysely } from 'kysely';
import { simplifyCoverage } from '../../spatial/simplify-coverage.js';
import { countAreas, findProvinceBbox, insertUnionArea, insertWard } from '../db/areas.repo.js';
import type { Database } from '../db/database.js';

export const GEOGRAPHY_DIR = fileURLToPath(new URL('../../fixtures/geography/', import.meta.url));
export const PROVINCE = { code: '66', nameVi: 'Đắk Lắk', nameEn: 'Dak Lak', fullNameVi: 'Tỉnh Đắk Lắk', fullNameEn: 'Dak Lak Province' };

/** The province's extent (west, south, east, north), where the maps open; undefined before the geography is loaded. */
export function provinceBbox(db: Kysely<Database>): Promise<[number, number, number, number] | undefined> {
  return findProvinceBbox(db);
}

/** Visvalingam weights (deg²) of the two display simplifications. */
const LOW_WEIGHT = 3e-6;
const MID_WEIGHT = 1e-7;

interface WardProperties {
  code: string;
  name: string;
  nameEn: string;
  fullName: string;
  fullNameEn: string;
}

interface MappingRow {
  old_district_name: string;
  old_district_code: string;
  old_ward_name: string;
  new_ward_code: string;
}

export interface FormerDistrict {
  code: string;
  /** e.g. "Thành phố Buôn Ma Thuột (cũ)" */
  fullNameVi: string;
  fullNameEn: string;
  nameVi: string;
  nameEn: string;
  wardCodes: string[];
}

const DISTRICT_KINDS: { prefix: RegExp; vi: string; en: string }[] = [
  { prefix: /^thành phố\s+/i, vi: 'Thành phố', en: 'city' },
  { prefix: /^thị xã\s+/i, vi: 'Thị xã', en: 'town' },
  { prefix: /^huyện\s+/i, vi: 'Huyện', en: 'district' },
];

/**
 * Groups the 2025 wards by the former district most of their old wards came
 * from. Rows with a blank district code are matched by district name, since
 * a couple of source rows lack the code.
 */
export function formerDistricts(rows: MappingRow[]): FormerDistrict[] {
  const codeByName = new Map<string, string>();
  for (const r of rows) if (r.old_district_code) codeByName.set(r.old_district_name.normalize('NFC').toLowerCase(), r.old_district_code);
  const nameByCode = new Map<string, string>();
  const votes = new Map<string, Map<string, Set<string>>>();
  for (const r of rows) {
    const code = r.old_district_code || codeByName.get(r.old_district_name.normalize('NFC').toLowerCase());
    if (!code) throw new Error(`Former district of "${r.old_ward_name}" has no code and no known name`);
    nameByCode.set(code, r.old_district_name.normalize('NFC'));
    const byDistrict = votes.get(r.new_ward_code) ?? new Map<string, Set<string>>();
    const oldWards = byDistrict.get(code) ?? new Set<string>();
    oldWards.add(r.old_ward_name);
    byDistrict.set(code, oldWards);
    votes.set(r.new_ward_code, byDistrict);
  }
  const wardsByDistrict = new Map<string, string[]>();
  for (const [wardCode, byDistrict] of votes) {
    const ranked = [...byDistrict].sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]));
    const winner = ranked[0][0];
    wardsByDistrict.set(winner, [...(wardsByDistrict.get(winner) ?? []), wardCode].sort());
  }
  return [...wardsByDistrict].sort((a, b) => a[0].localeCompare(b[0])).map(([code, wardCodes]) => {
    const raw = nameByCode.get(code)!;
    const kind = DISTRICT_KINDS.find((k) => k.prefix.test(raw));
    const base = kind ? raw.replace(kind.prefix, '') : raw;
    return {
      code,
      nameVi: `${base} (cũ)`,
      nameEn: `${base} (former ${kind?.en ?? 'district'})`,
      fullNameVi: `${kind?.vi ?? ''} ${base} (cũ)`.trim(),
      fullNameEn: `former ${base} ${kind?.en ?? 'district'}`,
      wardCodes,
    };
  });
}

export function readWards(dir = GEOGRAPHY_DIR): FeatureCollection<Polygon | MultiPolygon, WardProperties> {
  return JSON.parse(fs.readFileSync(`${dir}daklak_wards_2025.geojson`, 'utf8'));
}

export function readMapping(dir = GEOGRAPHY_DIR): MappingRow[] {
  return parse(fs.readFileSync(`${dir}daklak_old_to_new_wards.csv`, 'utf8'), { columns: true, skip_empty_lines: true });
}

/**
 * Loads wards, former districts and the province once; returns false when the
 * geography is already there. One transaction, so a crash leaves nothing half-loaded.
 */
export async function loadGeography(db: Kysely<Database>, dir = GEOGRAPHY_DIR): Promise<boolean> {
  if ((await countAreas(db)) > 0) return false;
  const wards = readWards(dir);
  const districts = formerDistricts(readMapping(dir));
  const wardCodes = new Set(wards.features.map((f) => f.properties.code));
  const mapped = new Set(districts.flatMap((d) => d.wardCodes));
  const missing = [...wardCodes].filter((c) => !mapped.has(c));
  if (missing.length) throw new Error(`Wards without a former district: ${missing.join(', ')}`);

  const [low, mid] = simplifyCoverage(wards, [LOW_WEIGHT, MID_WEIGHT]);
  await db.transaction().execute(async (trx) => {
    for (const [i, f] of wards.features.entries()) {
      const p = f.properties;
      await insertWard(trx, {
        code: p.code,
        nameVi: p.name.normalize('NFC'),
        nameEn: p.nameEn,
        fullNameVi: p.fullName.normalize('NFC'),
        fullNameEn: p.fullNameEn,
        geometry: JSON.stringify(f.geometry),
        geometryLow: JSON.stringify(low.features[i].geometry),
        geometryMid: JSON.stringify(mid.features[i].geometry),
      });
    }
    for (const d of districts) {
      await insertUnionArea(trx, { level: 'district', ...d, childCodes: d.wardCodes });
    }
    await insertUnionArea(trx, { level: 'province', ...PROVINCE, childCodes: districts.map((d) => d.code) });
  });
  return true;
}
