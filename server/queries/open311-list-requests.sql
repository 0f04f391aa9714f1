-- open311-list-requests: written by tests/unit/sql-snapshots.test.ts; do not edit by hand.

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
  to_char(
    r.created_at at time zone 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'
  ) as "page_key"
from
  "reports" as "r"
  inner join "fields" as "f" on "f"."code" = "r"."field_code"
  left join "units" as "u" on "u"."id" = "r"."unit_id"
where
  "r"."needs_review" = $1
  and "r"."status" not in ($2, $3, $4)
  and "r"."field_code" in ($5)
  and "r"."status" in ($6, $7, $8, $9, $10)
  and "r"."created_at" >= $11
  and r.geom && ST_MakeEnvelope ($12, $13, $14, $15, 4326)
  and nullif(
    ST_X (r.geom) between $16 and $17
    and ST_Y (r.geom) between $18 and $19,
    false
  ) is not null
  and (r.created_at, r.id) < ($20::timestamptz, $21::bigint)
order by
  "r"."created_at" desc,
  "r"."id" desc
limit
  $22;
