-- export-batch-officer: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

select
  "r"."id",
  "r"."code",
  "r"."status",
  "r"."field_code",
  "f"."name_vi" as "field_name",
  "r"."description",
  "u"."name_vi" as "unit_name",
  "r"."created_at",
  "r"."updated_at",
  "r"."due_at",
  "r"."address",
  "r"."external_media_url",
  ST_X (r.geom) as "lon",
  ST_Y (r.geom) as "lat",
  (
    select
      e.note
    from
      report_events e
    where
      e.report_id = r.id
      and e.public
      and e.note is not null
    order by
      e.created_at desc,
      e.id desc
    limit
      1
  ) as "status_notes",
  (
    select
      m.id
    from
      media m
    where
      m.report_id = r.id
      and m.kind = 'photo'
    order by
      m.created_at,
      m.id
    limit
      1
  ) as "media_id",
  "r"."title",
  "r"."resolved_at",
  "r"."closed_at",
  "r"."follower_count",
  "r"."source",
  "r"."unit_id",
  "w"."code" as "ward_code",
  "w"."name_vi" as "ward_name",
  "d"."code" as "district_code",
  "d"."name_vi" as "district_name"
from
  "reports" as "r"
  inner join "fields" as "f" on "f"."code" = "r"."field_code"
  left join "units" as "u" on "u"."id" = "r"."unit_id"
  inner join "admin_areas" as "w" on "w"."id" = "r"."ward_id"
  inner join "admin_areas" as "d" on "d"."id" = "r"."district_id"
where
  "r"."needs_review" = $1
  and not r.needs_review
  and (
    r.unit_id = $2
    or exists (
      select
        1
      from
        report_events ue
      where
        ue.report_id = r.id
        and ue.unit_id = $3
    )
  )
  and "r"."field_code" in ($4)
  and "r"."created_at" >= $5
  and (r.created_at, r.id) > ($6, $7::bigint)
order by
  "r"."created_at",
  "r"."id"
limit
  $8;
