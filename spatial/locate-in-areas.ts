import { bbox as turfBbox, booleanPointInPolygon } from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import { assertLngLat } from './assert-lng-lat.js';
import type { LngLat } from './types.js';

/**
 * A locator for many points in one set of areas: each area's bounding box is
 * computed once, so a point is tested in full only against the few areas
 * whose box holds it. Answers the first area containing the point.
 * @example locateInAreas(wards.features)([108.0383, 12.6667])?.properties.code // '24133'
 */
export function locateInAreas<P>(areas: Feature<Polygon | MultiPolygon, P>[]): (point: LngLat) => Feature<Polygon | MultiPolygon, P> | undefined {
  const boxed = areas.map((area) => ({ area, box: area.bbox ?? turfBbox(area.geometry) }));
  return (point) => {
    assertLngLat(point);
    const [lng, lat] = point;
    for (const { area, box } of boxed) {
      if (lng < box[0] || lat < box[1] || lng > box[2] || lat > box[3]) continue;
      if (booleanPointInPolygon(point, area.geometry)) return area;
    }
    return undefined;
  };
}
