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
