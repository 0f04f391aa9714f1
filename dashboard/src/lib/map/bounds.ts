import type { Position } from 'geojson';
import type { AreaCollection } from '../api.js';

export type Bounds = [west: number, south: number, east: number, north: number];

/** The bounding box [west, south, east, north] of every polygon in a collection; undefined when it is empty. */
export function collectionBounds(collection: AreaCollection): Bounds | undefined {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  const visit = (ring: Position[]) => {
    for (const [lng, lat] of ring) {
      if (lng < west) west = lng;
      if (lng > east) east = lng;
      if (lat < south) south = lat;
      if (lat > north) north = lat;
    }
  };
  for (const feature of collection.features) {
    const g = feature.geometry;
    // Outer rings bound their holes, so only they need visiting.
    if (g.type === 'Polygon') visit(g.coordinates[0]);
    else for (const polygon of g.coordinates) visit(polygon[0]);
  }
  return west <= east ? [west, south, east, north] : undefined;
}
