import { hash } from '@node-rs/argon2';
import type { MultiPolygon, Polygon } from 'geojson';
import type { Kysely, Transaction } from 'kysely';
import { insertRoutingRule, listRoutingRules } from '../db/routing.repo.js';
import type { Database, StaffRole } from '../db/database.js';
import {
  findProvinceId, findReportCodes, findSeedWards, findStaffIdsByUsername, findUnitIdsByCode, hasAnyReport,
  insertMissingFields, insertMissingUnitAreas, insertMissingUnitFields, insertMissingUnits, insertStaffUser, insertTemplatesIfNone,
  loadReports, type SeedReportRow,
} from '../db/seed.repo.js';
import { createReportGenerator, type GenUnit, type GenWard } from './seed/generate.js';
import {
  BMT_WARD_CODE, PROVINCIAL_UNIT_BY_FIELD, PROVINCIAL_UNITS, SEED_FIELDS, WARD_FIELD_CODES, wardUnitCode, wardUnitNames,
} from './seed/reference.js';

/**
 * Demo data: the reference data a fresh installation needs (fields, units,
 * staff) and a year of believable reports, reproducible from a seed.
 */

export interface DemoLogin {
  role: StaffRole;
  username: string;
  password: string;
}

// Printed on the console of embedded (demo) installations; never used on a
// production database unless someone seeds it on purpose.
export const DEMO_LOGINS: DemoLogin[] = [
  { role: 'admin', username: 'admin', password: 'daklak-admin-2025' },
  { role: 'dispatcher', username: 'dieuphoi', password: 'daklak-dieuphoi-2025' },
  { role: 'officer', username: 'canbo.bmt', password: 'daklak-canbo-2025' },
  { role: 'leader', username: 'lanhdao', password: 'daklak-lanhdao-2025' },
];

const DISPLAY_NAMES: Record<StaffRole, string> = {
  admin: 'Quản trị hệ thống',
  dispatcher: 'Trần Thị Thu Hà (Điều phối)',
  officer: 'Nguyễn Văn Hùng (UBND phường Buôn Ma Thuột)',
  leader: 'Lê Minh Quang (Lãnh đạo UBND tỉnh)',
};

export async function hasReports(db: Kysely<Database>): Promise<boolean> {
  return hasAnyReport(db);
}

export interface SeedOptions {
  reports: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
  /** The moment the generated year ends; defaults to the current time. */
  now?: Date;
}

/**
 * Inserts the reference data (skipping what exists, by code) and then
 * `reports` reports spread over the year before `now`. The geography must be
 * loaded first. Returns how many reports were written and how long it took.
 */
export async function seedDemo(db: Kysely<Database>, options: SeedOptions): Promise<{ reports: number; ms: number }> {
  const started = performance.now();
  if (!Number.isInteger(options.reports) || options.reports < 0) throw new Error(`reports must be a non-negative integer, got ${options.reports}`);
  if (!Number.isInteger(options.seed)) throw new Error(`seed must be an integer, got ${options.seed}`);
  const now = options.now ?? new Date();

  const wardRows = await findSeedWards(db);
  if (!wardRows.length) throw new Error('No wards in admin_areas: load the geography before seeding');
  const unitIds = await seedReferenceData(db, wardRows);
  const staffIds = await seedStaff(db, unitIds);
  if (options.reports === 0) return { reports: 0, ms: performance.now() - started };

  const wards: GenWard[] = wardRows.map((w) => ({
    id: w.id, code: w.code, districtId: w.parent_id, fullNameVi: w.full_name_vi,
    geometry: JSON.parse(w.geometry) as Polygon | MultiPolygon,
  }));
  const wardUnits = new Map<number, GenUnit>();
  for (const w of wardRows) {
    wardUnits.set(w.id, { id: unitIds.get(wardUnitCode(w.code))!, nameVi: wardUnitNames(w.full_name_vi, w.full_name_en).name_vi });
  }
  const fieldUnits = new Map<string, GenUnit>();
  for (const [field, code] of Object.entries(PROVINCIAL_UNIT_BY_FIELD)) {
    const unit = PROVINCIAL_UNITS.find((u) => u.code === code)!;
    fieldUnits.set(field, { id: unitIds.get(code)!, nameVi: unit.name_vi, pace: unit.pace });
  }
  // Appending to a database that has reports: avoid their codes.
  const existingCodes = (await hasAnyReport(db)) ? await findReportCodes(db) : undefined;

  const total = options.reports;
  let done = 0;
  const loaded = await loadReports(db, total, (firstId) => {
    const generator = createReportGenerator({
      seed: options.seed, now, wards, wardUnits, fieldUnits, firstId, existingCodes,
      fields: SEED_FIELDS.map((f) => ({ code: f.code, deadlineDays: f.deadline_days, handledAt: f.handled_at })),
      dispatcherId: staffIds.get('dieuphoi') ?? null,
      officer: { id: staffIds.get('canbo.bmt')!, unitId: unitIds.get(wardUnitCode(BMT_WARD_CODE))! },
    });
    return async () => {
      const batch: SeedReportRow[] = [];
      const size = Math.min(BATCH_SIZE, total - done);
      for (let i = 0; i < size; i++) {
        batch.push(generator.next());
        // Let the event loop run now and then, so COPY data keeps flowing while we generate.
        if (i % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve));
      }
      if (batch.length) {
        done += batch.length;
        options.onProgress?.(done, total);
      }
      return batch;
    };
  });
  return { reports: loaded, ms: performance.now() - started };
}

// Large enough to amortise a COPY round trip, small enough to report progress often.
const BATCH_SIZE = 10_000;

async function seedReferenceData(db: Kysely<Database>, wards: Awaited<ReturnType<typeof findSeedWards>>): Promise<Map<string, number>> {
  const provinceId = await findProvinceId(db);
  if (provinceId === undefined) throw new Error('No province in admin_areas: load the geography before seeding');
  return db.transaction().execute(async (trx) => {
    await insertMissingFields(trx, SEED_FIELDS);
    await insertMissingUnits(trx, [
      ...wards.map((w) => ({ code: wardUnitCode(w.code), kind: 'ward_committee' as const, ...wardUnitNames(w.full_name_vi, w.full_name_en), email: null, phone: null })),
      ...PROVINCIAL_UNITS.map((u) => ({ code: u.code, kind: u.kind, name_vi: u.name_vi, name_en: u.name_en, email: null, phone: null })),
    ]);
    const unitIds = await findUnitIdsByCode(trx);
    const id = (code: string) => {
      const unitId = unitIds.get(code);
      if (unitId === undefined) throw new Error(`Unit ${code} is missing after insert`);
      return unitId;
    };
    await insertMissingUnitAreas(trx, [
      ...wards.map((w) => ({ unit_id: id(wardUnitCode(w.code)), area_id: w.id })),
      ...PROVINCIAL_UNITS.map((u) => ({ unit_id: id(u.code), area_id: provinceId })),
    ]);
    await insertMissingUnitFields(trx, [
      ...wards.flatMap((w) => WARD_FIELD_CODES.map((f) => ({ unit_id: id(wardUnitCode(w.code)), field_code: f }))),
      ...PROVINCIAL_UNITS.flatMap((u) => u.fields.map((f) => ({ unit_id: id(u.code), field_code: f }))),
    ]);
    await seedRoutingRules(trx, wards, id);
    await seedResponseTemplates(trx);
    return unitIds;
  });
}

/**
 * The demo's routing rules, only into an empty rule table (admins own them
 * afterwards): pollution reports to the environment department, each
 * province-level field to its department or utility, and the ward fields to
 * the ward's People's Committee.
 */
async function seedRoutingRules(trx: Transaction<Database>, wards: Awaited<ReturnType<typeof findSeedWards>>, unitId: (code: string) => number) {
  if ((await listRoutingRules(trx)).length > 0) return;
  await insertRoutingRule(trx, {
    position: 10, name: 'Ô nhiễm, xả thải → Sở Nông nghiệp và Môi trường', field_codes: ['environment'], area_ids: [],
    keywords: ['xả thải', 'nước thải', 'ô nhiễm', 'khói', 'mùi hôi', 'hóa chất'], unit_id: unitId('so-nong-nghiep-moi-truong'), auto_assign: true, active: true,
  });
  let position = 20;
  for (const [field, code] of Object.entries(PROVINCIAL_UNIT_BY_FIELD)) {
    const unit = PROVINCIAL_UNITS.find((u) => u.code === code)!;
    await insertRoutingRule(trx, {
      position: position++, name: `${SEED_FIELDS.find((f) => f.code === field)?.name_vi ?? field} → ${unit.name_vi}`,
      field_codes: [field], area_ids: [], keywords: [], unit_id: unitId(code), auto_assign: true, active: true,
    });
  }
  position = 100;
  for (const w of wards) {
    await insertRoutingRule(trx, {
      position: position++, name: `${w.full_name_vi}: trật tự, chiếu sáng, rác thải… → UBND`, field_codes: WARD_FIELD_CODES, area_ids: [w.id],
      keywords: [], unit_id: unitId(wardUnitCode(w.code)), auto_assign: true, active: true,
    });
  }
}

/** A starting response per field, which units adapt; only into an empty table. */
async function seedResponseTemplates(trx: Transaction<Database>) {
  await insertTemplatesIfNone(trx, [
    ...SEED_FIELDS.map((f) => ({
      field_code: f.code,
      title: `Đã xử lý xong — ${f.name_vi}`,
      body_vi: `Đơn vị đã kiểm tra hiện trường và xử lý xong vấn đề về ${f.name_vi.toLowerCase()} mà người dân phản ánh. Cảm ơn ông/bà đã thông tin.`,
      body_en: `We inspected the site and resolved the ${f.name_en.toLowerCase()} problem you reported. Thank you for letting us know.`,
    })),
    {
      field_code: null,
      title: 'Đã tiếp nhận, đang lên phương án',
      body_vi: 'Đơn vị đã tiếp nhận phản ánh, đã khảo sát hiện trường và đang lên phương án xử lý. Kết quả sẽ được cập nhật tại đây.',
      body_en: 'We have received the report, inspected the site and are planning the work. The result will be posted here.',
    },
  ]);
}

async function seedStaff(db: Kysely<Database>, unitIds: Map<string, number>): Promise<Map<string, number>> {
  const usernames = DEMO_LOGINS.map((l) => l.username);
  const existing = await findStaffIdsByUsername(db, usernames);
  for (const login of DEMO_LOGINS) {
    if (existing.has(login.username)) continue;
    await insertStaffUser(db, {
      username: login.username,
      display_name: DISPLAY_NAMES[login.role],
      // @node-rs/argon2 defaults to argon2id with OWASP's minimum parameters (19 MiB, t=2).
      password_hash: await hash(login.password),
      role: login.role,
      unit_id: login.role === 'officer' ? unitIds.get(wardUnitCode(BMT_WARD_CODE))! : null,
    });
  }
  return findStaffIdsByUsername(db, usernames);
}
