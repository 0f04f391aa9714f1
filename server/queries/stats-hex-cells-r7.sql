-- stats-hex-cells-r7: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

with
  counts as (
    select
      "s"."h3_r7" as cell,
      s.bucket,
      sum(s.n)::int as n
    from
      stats_hex_daily s
    where
      s.day >= $1::date
      and s.day < $2::date
      and "s"."district_id" = $3
      and "s"."field_code" in ($4, $5)
      and "s"."status" in ($6, $7)
      and "s"."unit_id" in ($8)
    group by
      1,
      2
  ),
  running as (
    select
      cell,
      bucket,
      n,
      sum(n) over whole as count,
      coalesce(
        sum(n) filter (
          where
            bucket >= 0
        ) over whole,
        0
      ) as resolved,
      coalesce(
        sum(n) filter (
          where
            bucket >= 0
        ) over upto,
        0
      ) - case
        when bucket >= 0 then n
        else 0
      end as below
    from
      counts
    window
      whole as (
        partition by
          cell
      ),
      upto as (
        partition by
          cell
        order by
          bucket
      )
  ),
  overdue as (
    select
      "r"."h3_r7" as cell,
      count(*)::int as n
    from
      reports r
    where
      r.created_at >= ($9::date::timestamp at time zone $10)
      and r.created_at < ($11::date::timestamp at time zone $12)
      and not r.needs_review
      and "r"."district_id" = $13
      and "r"."field_code" in ($14, $15)
      and "r"."status" in ($16, $17)
      and "r"."unit_id" in ($18)
      and r.status in (
        'received',
        'verified',
        'assigned',
        'in_progress',
        'reopened'
      )
      and r.due_at < $19
    group by
      1
  )
select
  x.cell::text as cell,
  x.count::int as count,
  coalesce(o.n, 0) as overdue,
  case
    when x.resolved > 0 then x.bucket::int
  end as median_bucket,
  case
    when x.resolved > 0 then x.below::int
  end as below,
  case
    when x.resolved > 0 then x.n
  end as in_bucket,
  case
    when x.resolved > 0 then x.resolved::int
  end as resolved
from
  running x
  left join overdue o on o.cell = x.cell
where
  x.count > 0
  and (
    case
      when x.resolved = 0 then x.bucket = -1
      else x.bucket >= 0
      and 2 * x.below <= x.resolved - 1
      and x.resolved - 1 < 2 * (x.below + x.n)
    end
  );
