-- workflow-officer-inbox-overdue: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "r"."id",
  "r"."code",
  "r"."title",
  "r"."status",
  "r"."field_code",
  "r"."created_at",
  "r"."due_at",
  "r"."resolved_at",
  "r"."follower_count",
  "r"."unit_id",
  "r"."version",
  "r"."declined_at",
  "r"."reopen_count",
  "r"."needs_review",
  "fl"."name_vi" as "field_name_vi",
  "fl"."name_en" as "field_name_en",
  "fl"."color" as "field_color",
  "w"."code" as "ward_code",
  "w"."name_vi" as "ward_name_vi",
  "w"."name_en" as "ward_name_en",
  "u"."name_vi" as "unit_name_vi",
  "u"."name_en" as "unit_name_en",
  case
    when r.due_at is null then 'none'
    when r.status not in (
      'received',
      'verified',
      'assigned',
      'in_progress',
      'reopened'
    ) then case
      when r.resolved_at is null then 'none'
      when r.resolved_at <= r.due_at then 'met'
      else 'missed'
    end
    when $1::timestamptz > r.due_at then case
      when $2::timestamptz - r.created_at > 3 * (r.due_at - r.created_at) then 'late_3x'
      else 'overdue'
    end
    when r.due_at - $3::timestamptz < 0.2 * (r.due_at - r.created_at) then 'due_soon'
    else 'on_track'
  end as "sla",
  ST_X (r.geom) as "lon",
  ST_Y (r.geom) as "lat"
from
  "reports" as "r"
  inner join "fields" as "fl" on "fl"."code" = "r"."field_code"
  inner join "admin_areas" as "w" on "w"."id" = "r"."ward_id"
  left join "units" as "u" on "u"."id" = "r"."unit_id"
where
  not r.needs_review
  and (
    r.unit_id = $4
    or exists (
      select
        1
      from
        report_events ue
      where
        ue.report_id = r.id
        and ue.unit_id = $5
    )
  )
  and (
    r.status in (
      'received',
      'verified',
      'assigned',
      'in_progress',
      'reopened'
    )
    and r.due_at < $6
    and $7::timestamptz - r.created_at <= 3 * (r.due_at - r.created_at)
    or r.status in (
      'received',
      'verified',
      'assigned',
      'in_progress',
      'reopened'
    )
    and r.due_at < $8
    and $9::timestamptz - r.created_at > 3 * (r.due_at - r.created_at)
  )
  and "r"."due_at" is not null
  and (r.due_at, r.id) > ($10, $11::bigint)
order by
  "r"."due_at" asc,
  "r"."id" asc
limit
  $12;
