import type { Kysely } from 'kysely';
import { findAreasAt } from '../db/areas.repo.js';
import type { Database } from '../db/database.js';
import { findZonesAt, listLandUseClasses, listPlans, type ZoneAtRow } from '../db/planning.repo.js';
import { DomainError } from '../errors.js';

const DISCLAIMER_VI = 'Thông tin chỉ để tham khảo. Hồ sơ quy hoạch chính thức được lưu tại Văn phòng đăng ký đất đai và cơ quan quản lý quy hoạch.';
const DISCLAIMER_EN = 'For reference only. The official planning record is kept at the land registration office and the planning authority.';

/** The one place a zone row becomes its API shape. */
export function zoneRowToPublic(r: ZoneAtRow) {
  return {
    zone_id: r.zone_id,
    label: r.label,
    plan: {
      id: r.plan_id, name: r.plan_name, level: r.plan_level, authority: r.authority,
      decision_number: r.decision_number, decision_date: r.decision_date, scale: r.scale,
      status: r.status, source: r.source, demo: r.is_demo,
    },
    land_use: { code: r.land_use_code, name: r.land_use_name_vi, name_en: r.land_use_name_en, color: r.color },
    limits: {
      max_height_m: r.max_height_m, max_floors: r.max_floors, density_pct: r.density_pct,
      far: r.far, min_lot_m2: r.min_lot_m2,
    },
    area_m2: Math.round(r.area_m2),
    notes: r.notes,
  };
}

/** Every plan zone at a point, most detailed plan first; outside Đắk Lắk is 422. */
export async function lookupPlanning(db: Kysely<Database>, lon: number, lat: number) {
  const areas = await findAreasAt(db, lon, lat);
  if (!areas) throw new DomainError('outside_region', 'The point is outside Đắk Lắk province; planning lookup covers Đắk Lắk only', { lat: 'outside Đắk Lắk', lon: 'outside Đắk Lắk' });
  const zones = (await findZonesAt(db, lon, lat)).map(zoneRowToPublic);
  const pub = (a: { code: string; name_vi: string; name_en: string }) => ({ code: a.code, name_vi: a.name_vi, name_en: a.name_en });
  return {
    point: { lat, lon },
    ward: pub(areas.ward),
    district: pub(areas.district),
    zones,
    demo: zones.some((z) => z.plan.demo),
    message: zones.length
      ? null
      : { vi: 'Chưa có dữ liệu quy hoạch cho vị trí này trong hệ thống.', en: 'No planning data for this location in the system yet.' },
    disclaimer: { vi: DISCLAIMER_VI, en: DISCLAIMER_EN },
  };
}

/** The land-use legend, in classification order. */
export async function landUseLegend(db: Kysely<Database>) {
  return (await listLandUseClasses(db)).map((c) => ({ code: c.code, group: c.grp, name_vi: c.name_vi, name_en: c.name_en, color: c.color }));
}

export async function planList(db: Kysely<Database>) {
  return (await listPlans(db)).map((p) => {
    const bbox = p.bbox ? (JSON.parse(p.bbox) as GeoJSON.Polygon).coordinates[0] : null;
    return {
      id: p.id, name: p.name, level: p.level, authority: p.authority, decision_number: p.decision_number,
      decision_date: p.decision_date, scale: p.scale, status: p.status, source: p.source, demo: p.is_demo,
      zone_count: p.zone_count,
      bbox: bbox ? [bbox[0][0], bbox[0][1], bbox[2][0], bbox[2][1]] : null,
    };
  });
}
