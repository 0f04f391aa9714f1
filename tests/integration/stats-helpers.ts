import { sql, type Kysely } from 'kysely';
import type { Database } from '../../server/db/database.js';

/**
 * Rows where the statistics rollups differ from a recount of the reports table,
 * written independently of the trigger (an all-zero rollup row left behind by
 * moves is the same as no row). Held reports (needs_review) count nowhere.
 */
export async function rollupMismatches(db: Kysely<Database>): Promise<{ daily: number; hex: number }> {
  const bucket = sql`case when resolved_at is null then -1
    else width_bucket(extract(epoch from (resolved_at - created_at))::float8 / 3600, '{0.5,1,2,3,4,6,8,12,16,20,24,30,36,42,48,54,60,66,72,84,96,108,120,144,168,192,240,288,360,480,720}'::float8[]) end`;
  const speed = sql`greatest(0, least(1, 1 - extract(epoch from (resolved_at - created_at))::float8 / nullif(2 * extract(epoch from (due_at - created_at))::float8, 0)))`;
  const { rows: [daily] } = await sql<{ n: number }>`
    with expected as (
      select (created_at at time zone 'Asia/Ho_Chi_Minh')::date as day, ward_id, district_id, field_code, coalesce(unit_id, 0) as unit_id,
        status, ${bucket} as bucket, count(*)::int as n,
        count(*) filter (where resolved_at <= due_at)::int as on_time,
        count(*) filter (where resolved_at is not null and reopen_count = 0)::int as never_reopened,
        round(coalesce(sum(${speed}) filter (where resolved_at is not null and due_at is not null), 0)::numeric, 4) as speed_sum,
        count(*) filter (where resolved_at is not null and due_at is not null)::int as speed_n,
        count(rating_satisfied)::int as rated, count(*) filter (where rating_satisfied)::int as satisfied
      from reports where not needs_review group by 1, 2, 3, 4, 5, 6, 7
    ), actual as (
      select day, ward_id, district_id, field_code, unit_id, status, bucket::int, n, on_time, never_reopened,
        round(speed_sum::numeric, 4), speed_n, rated, satisfied
      from stats_daily where n <> 0 or on_time <> 0 or never_reopened <> 0 or speed_n <> 0 or rated <> 0 or satisfied <> 0 or abs(speed_sum) > 1e-9
    )
    select ((select count(*) from (select * from expected except all select * from actual) a)
          + (select count(*) from (select * from actual except all select * from expected) b))::int as n`.execute(db);
  const { rows: [hex] } = await sql<{ n: number }>`
    with expected as (
      select (created_at at time zone 'Asia/Ho_Chi_Minh')::date as day, h3_r7, h3_r6, h3_r5, ward_id, district_id, field_code,
        coalesce(unit_id, 0) as unit_id, status, ${bucket} as bucket, count(*)::int as n
      from reports where not needs_review group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    ), actual as (
      select day, h3_r7, h3_r6, h3_r5, ward_id, district_id, field_code, unit_id, status, bucket::int, n from stats_hex_daily where n <> 0
    )
    select ((select count(*) from (select * from expected except all select * from actual) a)
          + (select count(*) from (select * from actual except all select * from expected) b))::int as n`.execute(db);
  return { daily: daily.n, hex: hex.n };
}
