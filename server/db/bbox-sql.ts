import { sql, type SqlBool } from 'kysely';

/** `r.geom` within a west, south, east, north box (WGS84): the GiST index answers it. */
export function inBboxSql(bbox: readonly [number, number, number, number]) {
  return sql<SqlBool>`r.geom && ST_MakeEnvelope(${bbox[0]}, ${bbox[1]}, ${bbox[2]}, ${bbox[3]}, 4326)`;
}
