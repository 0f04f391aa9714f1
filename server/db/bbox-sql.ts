import { sql, type SqlBool } from 'kysely';

/**
 * `r.geom` within a west, south, east, north box (WGS84), edges included.
 * `&&` lets the GiST index answer, but it compares float4 boxes rounded
 * outwards, so points up to about a metre outside the box pass it; the
 * coordinates then decide exactly.
 */
export function inBboxSql(bbox: readonly [number, number, number, number]) {
  const [west, south, east, north] = bbox;
  // `nullif(…, false) is not null` is true exactly when the test is, but
  // the planner estimates it at 0.995 (a null test without statistics), so
  // the box's selectivity stays what `&&` says. The bare BETWEENs count
  // 0.005 each: a province-wide box looked like ten reports, and at 1M
  // reports the map list sorted every report instead of reading the
  // created_at index (1 ms became 0.6–0.8 s). ST_Intersects estimates well
  // but is costed so high that the same list went parallel (1 ms → 70 ms).
  return sql<SqlBool>`r.geom && ST_MakeEnvelope(${west}, ${south}, ${east}, ${north}, 4326)
    and nullif(ST_X(r.geom) between ${west} and ${east} and ST_Y(r.geom) between ${south} and ${north}, false) is not null`;
}
