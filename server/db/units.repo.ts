import { sql } from 'kysely';
import type { Db } from './database.js';

export interface UnitRef {
  id: number;
  code: string;
  name_vi: string;
  name_en: string;
}

/**
 * The default unit for a field at a place: an active unit that handles the
 * field and covers the ward, else its district, else the province; the most
 * local one wins. Routing rules (when configured) take precedence over this.
 */
export async function findDefaultUnit(
  db: Db,
  where: { fieldCode: string; wardId: number; districtId: number; provinceId: number },
): Promise<UnitRef | undefined> {
  return db
    .selectFrom('units as u')
    .innerJoin('unit_fields as uf', 'uf.unit_id', 'u.id')
    .innerJoin('unit_areas as ua', 'ua.unit_id', 'u.id')
    .where('u.active', '=', true)
    .where('uf.field_code', '=', where.fieldCode)
    .where('ua.area_id', 'in', [where.wardId, where.districtId, where.provinceId])
    .select(['u.id', 'u.code', 'u.name_vi', 'u.name_en'])
    .orderBy(sql`case ua.area_id when ${where.wardId} then 0 when ${where.districtId} then 1 else 2 end`)
    .orderBy('u.id')
    .limit(1)
    .executeTakeFirst();
}

export async function findUnitById(db: Db, id: number): Promise<UnitRef | undefined> {
  return db.selectFrom('units').select(['id', 'code', 'name_vi', 'name_en']).where('id', '=', id).executeTakeFirst();
}

/** Every unit, with the area codes and fields it covers, for the admin screens. */
export async function listUnitsWithCoverage(db: Db) {
  const units = await db.selectFrom('units').selectAll().orderBy('kind').orderBy('name_vi').execute();
  const areas = await db.selectFrom('unit_areas as ua').innerJoin('admin_areas as a', 'a.id', 'ua.area_id').select(['ua.unit_id', 'a.code']).execute();
  const fields = await db.selectFrom('unit_fields').selectAll().execute();
  return units.map((u) => ({
    ...u,
    area_codes: areas.filter((a) => a.unit_id === u.id).map((a) => a.code),
    field_codes: fields.filter((f) => f.unit_id === u.id).map((f) => f.field_code),
  }));
}

export interface UnitValues {
  code: string;
  kind: 'ward_committee' | 'department' | 'utility' | 'other';
  name_vi: string;
  name_en: string;
  email: string | null;
  phone: string | null;
  active: boolean;
}

export async function insertUnit(db: Db, values: UnitValues): Promise<number> {
  return (await db.insertInto('units').values(values).returning('id').executeTakeFirstOrThrow()).id;
}

/** Whether a unit with this id existed to update. */
export async function updateUnit(db: Db, id: number, values: UnitValues): Promise<boolean> {
  const r = await db.updateTable('units').set(values).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Replaces the areas and fields a unit covers. */
export async function replaceUnitCoverage(db: Db, unitId: number, areaIds: number[], fieldCodes: string[]) {
  await db.deleteFrom('unit_areas').where('unit_id', '=', unitId).execute();
  await db.deleteFrom('unit_fields').where('unit_id', '=', unitId).execute();
  if (areaIds.length) await db.insertInto('unit_areas').values(areaIds.map((area_id) => ({ unit_id: unitId, area_id }))).execute();
  if (fieldCodes.length) await db.insertInto('unit_fields').values(fieldCodes.map((field_code) => ({ unit_id: unitId, field_code }))).execute();
}

/** Active units, as the back office offers them for assignment. */
export async function listActiveUnits(db: Db) {
  return db.selectFrom('units').select(['id', 'code', 'kind', 'name_vi', 'name_en']).where('active', '=', true).orderBy('name_vi').execute();
}
