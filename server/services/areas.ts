import type { Kysely } from 'kysely';
import { findAreaByCode, findAreasAt, listAreaFeatures, type AreaRef, type GeometryDetail } from '../db/areas.repo.js';
import type { AreaLevel, Database } from '../db/database.js';
import { DomainError, outsideRegion } from '../errors.js';

export interface PublicArea {
  code: string;
  name_vi: string;
  name_en: string;
}

const toPublic = (a: AreaRef): PublicArea => ({ code: a.code, name_vi: a.name_vi, name_en: a.name_en });

/** Resolves a point to its ward, former district and province, or fails with outside_region. */
export async function areasAt(db: Kysely<Database>, lon: number, lat: number) {
  const found = await findAreasAt(db, lon, lat);
  if (!found) throw outsideRegion();
  return { ward: toPublic(found.ward), district: toPublic(found.district), province: toPublic(found.province) };
}

/** Zoom decides how much boundary detail a browser needs. */
export function detailForZoom(zoom: number): GeometryDetail {
  if (zoom < 9) return 'low';
  if (zoom < 12) return 'mid';
  return 'full';
}

const CHILD_LEVEL: Record<AreaLevel, AreaLevel | undefined> = { province: 'district', district: 'ward', ward: undefined };

export async function areaBoundaries(db: Kysely<Database>, options: { level: AreaLevel; parent?: string; zoom: number }) {
  let parentId: number | undefined;
  if (options.parent) {
    const parent = await findAreaByCode(db, options.parent);
    if (!parent) throw new DomainError('not_found', `No area with code ${options.parent}`);
    const wardsOfProvince = parent.level === 'province' && options.level === 'ward';
    if (CHILD_LEVEL[parent.level] !== options.level && !wardsOfProvince) {
      throw new DomainError('validation_failed', 'Some fields are invalid', {
        parent: `A ${parent.level} has no ${options.level} children`,
      });
    }
    // Every ward lies in the one province, so its wards are simply all wards.
    parentId = wardsOfProvince ? undefined : parent.id;
  }
  const rows = await listAreaFeatures(db, { level: options.level, parentId, detail: detailForZoom(options.zoom) });
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r) => ({
      type: 'Feature' as const,
      id: r.code,
      properties: {
        code: r.code,
        level: r.level,
        name_vi: r.name_vi,
        name_en: r.name_en,
        full_name_vi: r.full_name_vi,
        full_name_en: r.full_name_en,
        parent: r.parent_code,
        area_km2: Math.round(r.area_km2 * 100) / 100,
        label: JSON.parse(r.label).coordinates as [number, number],
      },
      geometry: JSON.parse(r.geometry),
    })),
  };
}
