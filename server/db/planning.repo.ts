import { sql } from 'kysely';
import type { Db, LandUseClassRow, NewPlanRow, PlanLevel } from './database.js';

/** Most detailed first: a detailed plan refines a zoning plan, which refines the general one. */
const LEVEL_RANK: Record<PlanLevel, number> = { detailed: 3, zoning: 2, general: 1 };
const levelRank = sql<number>`case p.level ${sql.raw(Object.entries(LEVEL_RANK).map(([level, rank]) => `when '${level}' then ${rank}`).join(' '))} end`;

export interface ZoneAtRow {
  zone_id: number;
  label: string | null;
  land_use_code: string;
  land_use_name_vi: string;
  land_use_name_en: string;
  color: string;
  max_height_m: number | null;
  max_floors: number | null;
  density_pct: number | null;
  far: number | null;
  min_lot_m2: number | null;
  notes: string | null;
  area_m2: number;
  plan_id: number;
  plan_name: string;
  plan_level: PlanLevel;
  authority: string | null;
  decision_number: string | null;
  decision_date: string | null;
  scale: string | null;
  status: 'in_force' | 'superseded';
  source: string;
  is_demo: boolean;
}

/** Zones of every plan covering a point (its boundary included), most detailed plan first. */
export async function findZonesAt(db: Db, lon: number, lat: number): Promise<ZoneAtRow[]> {
  const point = sql`ST_SetSRID(ST_MakePoint(${lon}, ${lat}), 4326)`;
  return db
    .selectFrom('planning_zones as z')
    .innerJoin('plans as p', 'p.id', 'z.plan_id')
    .innerJoin('land_use_classes as c', 'c.code', 'z.land_use_code')
    .where(sql<boolean>`ST_Intersects(z.geom, ${point})`)
    .select([
      'z.id as zone_id', 'z.label', 'z.land_use_code', 'c.name_vi as land_use_name_vi', 'c.name_en as land_use_name_en', 'c.color',
      'z.max_height_m', 'z.max_floors', 'z.density_pct', 'z.far', 'z.min_lot_m2', 'z.notes', 'z.area_m2',
      'p.id as plan_id', 'p.name as plan_name', 'p.level as plan_level', 'p.authority', 'p.decision_number',
      sql<string | null>`to_char(p.decision_date, 'YYYY-MM-DD')`.as('decision_date'),
      'p.scale', 'p.status', 'p.source', 'p.is_demo',
    ])
    .orderBy(sql`case p.status when 'in_force' then 0 else 1 end`)
    .orderBy(levelRank, 'desc')
    .orderBy('p.id', 'desc')
    .orderBy('z.id')
    .execute();
}

export async function listLandUseClasses(db: Db): Promise<LandUseClassRow[]> {
  return db.selectFrom('land_use_classes').selectAll().orderBy('sort_order').execute();
}

export async function listPlans(db: Db) {
  return db
    .selectFrom('plans as p')
    .leftJoin('planning_zones as z', 'z.plan_id', 'p.id')
    .select([
      'p.id', 'p.name', 'p.level', 'p.authority', 'p.decision_number',
      sql<string | null>`to_char(p.decision_date, 'YYYY-MM-DD')`.as('decision_date'),
      'p.scale', 'p.status', 'p.source', 'p.is_demo',
      sql<number>`count(z.id)::int`.as('zone_count'),
      sql<string | null>`ST_AsGeoJSON(ST_Extent(z.geom)::geometry, 5)`.as('bbox'),
    ])
    .groupBy('p.id')
    .orderBy('p.id')
    .execute();
}

export async function findPlanBySource(db: Db, source: string) {
  return db.selectFrom('plans').select(['id', 'name']).where('source', '=', source).executeTakeFirst();
}

export async function insertPlan(db: Db, plan: NewPlanRow): Promise<number> {
  const row = await db.insertInto('plans').values(plan).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export interface NewZoneInput {
  land_use_code: string;
  label?: string | null;
  max_height_m?: number | null;
  max_floors?: number | null;
  density_pct?: number | null;
  far?: number | null;
  min_lot_m2?: number | null;
  notes?: string | null;
  source_ref?: string | null;
  /** GeoJSON geometry, already valid and in EPSG:4326. */
  geometry: unknown;
}

/**
 * Inserts zones from WGS84 GeoJSON in one statement with a single jsonb
 * parameter (PGlite caps parameters per statement).
 */
export async function insertZones(db: Db, planId: number, zones: NewZoneInput[]): Promise<number> {
  if (zones.length === 0) return 0;
  const payload = JSON.stringify(zones.map((z) => ({ ...z, geometry: JSON.stringify(z.geometry) })));
  const result = await sql`
    insert into planning_zones (plan_id, land_use_code, label, max_height_m, max_floors, density_pct, far, min_lot_m2, notes, source_ref, area_m2, geom)
    select ${planId}, e->>'land_use_code', e->>'label', (e->>'max_height_m')::float8, (e->>'max_floors')::int,
           (e->>'density_pct')::float8, (e->>'far')::float8, (e->>'min_lot_m2')::float8, e->>'notes', e->>'source_ref',
           ST_Area(g::geography), g
    from jsonb_array_elements(${payload}::jsonb) e,
         lateral (select ST_Multi(ST_ForcePolygonCCW(ST_SetSRID(ST_GeomFromGeoJSON(e->>'geometry'), 4326))) as g) geo`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface StagedFeature {
  i: number;
  /** GeoJSON geometry text in the source CRS. */
  g: string;
}

export interface CheckedFeature {
  i: number;
  valid: boolean;
  empty: boolean;
  reason: string | null;
  xmin: number | null;
  ymin: number | null;
  xmax: number | null;
  ymax: number | null;
  geometry: string | null;
}

/**
 * Validates, repairs (ST_MakeValid, polygons only) and reprojects source
 * geometries to EPSG:4326 without writing anything.
 */
export async function checkGeometries(db: Db, srid: number, features: StagedFeature[]): Promise<CheckedFeature[]> {
  if (features.length === 0) return [];
  const { rows } = await sql<CheckedFeature>`
    with src as (
      select (e->>'i')::int as i, ST_SetSRID(ST_GeomFromGeoJSON(e->>'g'), ${srid}::int) as g
      from jsonb_array_elements(${JSON.stringify(features)}::jsonb) e
    ), fixed as (
      select i, ST_IsValid(g) as valid, ST_IsValidReason(g) as reason,
             ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3)) as g
      from src
    ), wgs as (
      select i, valid, reason, ST_IsEmpty(g) as empty,
             case when ST_IsEmpty(g) then null else ST_Transform(g, 4326) end as g
      from fixed
    )
    select i, valid, empty, case when valid then null else reason end as reason,
           ST_XMin(g) as xmin, ST_YMin(g) as ymin, ST_XMax(g) as xmax, ST_YMax(g) as ymax,
           ST_AsGeoJSON(g, 7) as geometry
    from wgs order by i`.execute(db);
  return rows;
}

/** Does the spatial_ref_sys table know this SRID? */
export async function hasSrid(db: Db, srid: number): Promise<boolean> {
  const row = await sql<{ n: number }>`select count(*)::int as n from spatial_ref_sys where srid = ${srid}`.execute(db);
  return row.rows[0].n > 0;
}

/** A cheap fingerprint of the planning data; changes whenever a plan is added or removed. */
export async function findPlanningVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ v: string }>`
    select count(*)::int || ':' || coalesce(max(id), 0) || ':' || coalesce(extract(epoch from max(created_at))::text, '') as v from plans`.execute(db);
  return rows[0].v;
}

export interface TileFeatureRow {
  id: number;
  code: string;
  plan_id: number;
  level: PlanLevel;
  color: string;
  demo: boolean;
}

/**
 * The zones a tile shows, in the order both encoders keep them: most detailed
 * plan first, then larger zones; `limit` is the per-tile feature cap.
 */
const tileSelection = (z: number, x: number, y: number, limit: number) => sql`
  select z.id, z.land_use_code as code, z.plan_id, p.level, c.color, p.is_demo as demo, z.geom
  from planning_zones z
  join plans p on p.id = z.plan_id
  join land_use_classes c on c.code = z.land_use_code,
  lateral (select ST_Transform(ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int), 4326) as env) t
  where p.status = 'in_force' and z.geom && t.env and ST_Intersects(z.geom, t.env)
  order by ${levelRank} desc, z.area_m2 desc, z.id
  limit ${limit}::int`;

/** Simplification tolerance in Web-Mercator metres: a quarter of a tile pixel (4096 px per tile). */
export const tileTolerance = (z: number) => (40075016.68557849 / 2 ** z / 4096) * 0.25;

/** Native encoding: ST_AsMVT over ST_AsMVTGeom, simplified by zoom. Needs PostGIS with protobuf. */
export async function findTileMvt(db: Db, z: number, x: number, y: number, limit: number): Promise<Uint8Array> {
  const { rows } = await sql<{ mvt: Uint8Array | null }>`
    with sel as (${tileSelection(z, x, y, limit)}),
    mvtgeom as (
      select sel.id, sel.code, sel.plan_id, sel.level, sel.color, sel.demo,
             ST_AsMVTGeom(ST_Simplify(ST_Transform(sel.geom, 3857), ${tileTolerance(z)}::float8, true),
                          ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int), 4096, 64, true) as geom
      from sel
    )
    select ST_AsMVT(mvtgeom.*, 'planning', 4096, 'geom', 'id') as mvt from mvtgeom where geom is not null`.execute(db);
  return rows[0]?.mvt ?? new Uint8Array(0);
}

export interface ClippedTileFeature extends TileFeatureRow {
  geometry: string;
}

/** Embedded encoding input: the same selection, clipped to the tile plus its buffer, as WGS84 GeoJSON. */
export async function findTileFeatures(db: Db, z: number, x: number, y: number, limit: number): Promise<ClippedTileFeature[]> {
  const { rows } = await sql<ClippedTileFeature>`
    with sel as (${tileSelection(z, x, y, limit)}),
    env as (select ST_Expand(ST_TileEnvelope(${z}::int, ${x}::int, ${y}::int), (40075016.68557849 / 2 ^ ${z}::int) * 64 / 4096) as box)
    select sel.id, sel.code, sel.plan_id, sel.level, sel.color, sel.demo,
           ST_AsGeoJSON(ST_Transform(ST_ClipByBox2D(ST_Simplify(ST_Transform(sel.geom, 3857), ${tileTolerance(z)}::float8, true), env.box), 4326), 8) as geometry
    from sel, env`.execute(db);
  return rows.filter((r) => r.geometry && !r.geometry.includes('"coordinates":[]'));
}
