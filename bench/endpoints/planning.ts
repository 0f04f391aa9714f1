import { tileTolerance } from '../../server/db/planning.repo.js';
import { DEMO_BBOX } from '../../server/services/planning-demo.js';
import { TILE_FEATURE_CAP } from '../../server/services/planning-tiles.js';
import { lngLatToTile, type TileAddress } from '../../spatial/tile-bounds.js';
import type { BenchContext, BenchEndpoint } from '../types.js';

// Planning needs the demo plan (ensureDemoPlan at startup) or an imported one over central Buôn Ma Thuột.
const [W, S, E, N] = DEMO_BBOX;

/** Every tile at zoom z that covers the demo plan. */
function tilesAt(z: number): TileAddress[] {
  const a = lngLatToTile([W, N], z);
  const b = lngLatToTile([E, S], z);
  const out: TileAddress[] = [];
  for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y; y++) out.push({ z, x, y });
  return out;
}

const ZOOMS = [12, 13, 14, 15, 16];
const ALL_TILES = ZOOMS.flatMap(tilesAt);
/** The warm set: small enough to stay in the server's LRU. */
const HOT_TILES = ZOOMS.flatMap((z) => tilesAt(z).slice(0, 12));

const randomPoint = (ctx: BenchContext) => ({ lon: W + Math.random() * (E - W), lat: S + Math.random() * (N - S), ctx });

/** The raw native query the tile service runs on PostGIS: the floor for cold tiles. */
const TILE_SQL = `
  with sel as (
    select z.id, z.land_use_code as code, z.plan_id, p.level, c.color, p.is_demo as demo, z.geom
    from planning_zones z join plans p on p.id = z.plan_id join land_use_classes c on c.code = z.land_use_code,
    lateral (select ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int), 4326) as env) t
    where p.status = 'in_force' and z.geom && t.env and ST_Intersects(z.geom, t.env)
    order by case p.level when 'detailed' then 3 when 'zoning' then 2 else 1 end desc, z.area_m2 desc, z.id
    limit $5::int
  ), mvtgeom as (
    select sel.id, sel.code, sel.plan_id, sel.level, sel.color, sel.demo,
           ST_AsMVTGeom(ST_Simplify(ST_Transform(sel.geom, 3857), $4::float8, true), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) as geom
    from sel
  )
  select ST_AsMVT(mvtgeom.*, 'planning', 4096, 'geom', 'id') from mvtgeom where geom is not null`;

const tileFloor = (tiles: TileAddress[]) => (ctx: BenchContext) => {
  const t = ctx.random(tiles);
  return { sql: TILE_SQL, params: [t.z, t.x, t.y, tileTolerance(t.z), TILE_FEATURE_CAP] };
};

export const planningEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /tiles/planning z12–16 cold (cache=off)',
    request: (ctx) => {
      const t = ctx.random(ALL_TILES);
      return { path: `/tiles/planning/${t.z}/${t.x}/${t.y}.mvt?cache=off` };
    },
    floor: tileFloor(ALL_TILES),
  },
  {
    name: 'GET /tiles/planning z12–16 warm (LRU)',
    request: (ctx) => {
      const t = ctx.random(HOT_TILES);
      return { path: `/tiles/planning/${t.z}/${t.x}/${t.y}.mvt` };
    },
    floor: tileFloor(HOT_TILES),
  },
  {
    name: 'GET /api/planning/lookup',
    request: (ctx) => {
      const p = randomPoint(ctx);
      return { path: `/api/planning/lookup?lat=${p.lat}&lon=${p.lon}` };
    },
    floor: (ctx) => {
      const p = randomPoint(ctx);
      return {
        sql: `with w as (
                select w.code, w.name_vi, w.name_en, d.code as dcode, d.name_vi as dname
                from admin_areas w join admin_areas d on d.id = w.parent_id
                where w.level = 'ward' and ST_Intersects(w.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) order by w.code limit 1)
              select w.*, z.id, z.label, z.land_use_code, c.name_vi, c.name_en, c.color, z.max_height_m, z.max_floors, z.density_pct,
                     z.far, z.min_lot_m2, z.notes, z.area_m2, p.id, p.name, p.level, p.authority, p.decision_number,
                     to_char(p.decision_date, 'YYYY-MM-DD'), p.scale, p.status, p.source, p.is_demo
              from w left join planning_zones z on ST_Intersects(z.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
              left join plans p on p.id = z.plan_id left join land_use_classes c on c.code = z.land_use_code
              order by case p.level when 'detailed' then 3 when 'zoning' then 2 else 1 end desc, p.id desc, z.id`,
        params: [p.lon, p.lat],
      };
    },
  },
];
