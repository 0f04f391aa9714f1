import { sql } from 'kysely';
import type { AreaLevel, Db } from './database.js';

export interface NewWard {
  code: string;
  nameVi: string;
  nameEn: string;
  fullNameVi: string;
  fullNameEn: string;
  geometry: string;
  geometryLow: string;
  geometryMid: string;
}

export interface NewAreaUnion {
  level: Exclude<AreaLevel, 'ward'>;
  code: string;
  nameVi: string;
  nameEn: string;
  fullNameVi: string;
  fullNameEn: string;
  /** Codes of the areas this one is the union of. */
  childCodes: string[];
}

export async function countAreas(db: Db): Promise<number> {
  const row = await db.selectFrom('admin_areas').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

// GeoJSON rings may wind either way (our source winds them clockwise);
// ST_ForcePolygonCCW stores them the RFC 7946 way.
const fromGeoJson = (json: string) =>
  sql`ST_Multi(ST_ForcePolygonCCW(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(${json}), 4326)), 3)))`;

export async function insertWard(db: Db, ward: NewWard): Promise<number> {
  const row = await db
    .insertInto('admin_areas')
    .values({
      level: 'ward',
      code: ward.code,
      name_vi: ward.nameVi,
      name_en: ward.nameEn,
      full_name_vi: ward.fullNameVi,
      full_name_en: ward.fullNameEn,
      area_km2: sql<number>`ST_Area(${fromGeoJson(ward.geometry)}::geography) / 1e6`,
      geom: fromGeoJson(ward.geometry),
      geom_low: fromGeoJson(ward.geometryLow),
      geom_mid: fromGeoJson(ward.geometryMid),
      label_point: sql`ST_PointOnSurface(${fromGeoJson(ward.geometry)})`,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts an area whose geometries are the union of existing areas, and makes it their parent. */
export async function insertUnionArea(db: Db, area: NewAreaUnion): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into admin_areas (level, code, name_vi, name_en, full_name_vi, full_name_en, area_km2, geom, geom_low, geom_mid, label_point)
    select ${area.level}, ${area.code}, ${area.nameVi}, ${area.nameEn}, ${area.fullNameVi}, ${area.fullNameEn},
           sum(area_km2),
           ST_Multi(ST_Union(geom)), ST_Multi(ST_Union(geom_low)), ST_Multi(ST_Union(geom_mid)),
           ST_PointOnSurface(ST_Union(geom_low))
    from admin_areas
    where code = any(${area.childCodes}::text[])
    returning id`.execute(db);
  const id = rows[0].id;
  await db.updateTable('admin_areas').set({ parent_id: id }).where('code', 'in', area.childCodes).execute();
  return id;
}

export interface AreaRef {
  id: number;
  code: string;
  name_vi: string;
  name_en: string;
  level: AreaLevel;
}

/** Finds the ward containing a point, with its district and province. */
export async function findAreasAt(db: Db, lon: number, lat: number): Promise<{ ward: AreaRef; district: AreaRef; province: AreaRef } | undefined> {
  const point = sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)`;
  const row = await db
    .selectFrom('admin_areas as w')
    .innerJoin('admin_areas as d', 'd.id', 'w.parent_id')
    .innerJoin('admin_areas as p', 'p.id', 'd.parent_id')
    .where('w.level', '=', 'ward')
    .where(sql<boolean>`ST_Intersects(w.geom, ${point})`)
    .select([
      'w.id as w_id', 'w.code as w_code', 'w.name_vi as w_name_vi', 'w.name_en as w_name_en',
      'd.id as d_id', 'd.code as d_code', 'd.name_vi as d_name_vi', 'd.name_en as d_name_en',
      'p.id as p_id', 'p.code as p_code', 'p.name_vi as p_name_vi', 'p.name_en as p_name_en',
    ])
    // A point exactly on a shared border touches two wards; pick one deterministically.
    .orderBy('w.code')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    ward: { id: row.w_id, code: row.w_code, name_vi: row.w_name_vi, name_en: row.w_name_en, level: 'ward' },
    district: { id: row.d_id, code: row.d_code, name_vi: row.d_name_vi, name_en: row.d_name_en, level: 'district' },
    province: { id: row.p_id, code: row.p_code, name_vi: row.p_name_vi, name_en: row.p_name_en, level: 'province' },
  };
}

export async function findAreaByCode(db: Db, code: string) {
  return db
    .selectFrom('admin_areas')
    .select(['id', 'code', 'level', 'name_vi', 'name_en', 'full_name_vi', 'full_name_en', 'parent_id'])
    .where('code', '=', code)
    .executeTakeFirst();
}

export type GeometryDetail = 'low' | 'mid' | 'full';
const GEOMETRY_COLUMN = { low: 'a.geom_low', mid: 'a.geom_mid', full: 'a.geom' } as const;

export interface AreaFeatureRow {
  id: number;
  code: string;
  level: AreaLevel;
  name_vi: string;
  name_en: string;
  full_name_vi: string;
  full_name_en: string;
  parent_code: string | null;
  area_km2: number;
  geometry: string;
  label: string;
}

/** Lists areas of one level (optionally under a parent) with GeoJSON geometry at the given detail. */
export async function listAreaFeatures(
  db: Db,
  options: { level: AreaLevel; parentId?: number; detail: GeometryDetail },
): Promise<AreaFeatureRow[]> {
  const column = sql.ref(GEOMETRY_COLUMN[options.detail]);
  return db
    .selectFrom('admin_areas as a')
    .leftJoin('admin_areas as parent', 'parent.id', 'a.parent_id')
    .where('a.level', '=', options.level)
    .$if(options.parentId !== undefined, (qb) => qb.where('a.parent_id', '=', options.parentId!))
    .select([
      'a.id', 'a.code', 'a.level', 'a.name_vi', 'a.name_en', 'a.full_name_vi', 'a.full_name_en',
      'parent.code as parent_code', 'a.area_km2',
      sql<string>`ST_AsGeoJSON(${column}, 5)`.as('geometry'),
      sql<string>`ST_AsGeoJSON(a.label_point, 5)`.as('label'),
    ])
    .orderBy('a.code')
    .execute();
}

/** The province's bounding box [west, south, east, north], or undefined before the geography is loaded. */
export async function findProvinceBbox(db: Db): Promise<[number, number, number, number] | undefined> {
  const row = await db
    .selectFrom('admin_areas')
    .where('level', '=', 'province')
    .select([
      sql<number>`ST_XMin(geom)`.as('w'), sql<number>`ST_YMin(geom)`.as('s'),
      sql<number>`ST_XMax(geom)`.as('e'), sql<number>`ST_YMax(geom)`.as('n'),
    ])
    .executeTakeFirst();
  return row ? [row.w, row.s, row.e, row.n] : undefined;
}

export async function listAllAreaRefs(db: Db) {
  return db.selectFrom('admin_areas').select(['id', 'code', 'name_vi', 'name_en']).execute();
}
