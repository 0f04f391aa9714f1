import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import { topology } from 'topojson-server';
import { filter, filterWeight, presimplify, simplify } from 'topojson-simplify';
import type { Objects, Topology } from 'topojson-specification';

/**
 * Simplifies a polygon coverage (e.g. wards) while keeping shared borders
 * shared, so neighbours never gap or overlap. minWeight is Visvalingam's
 * effective triangle area in square degrees; every feature keeps its rings.
 * @example simplifyCoverage(wards, [1e-6, 1e-8]) // one simplified collection per weight
 */
export function simplifyCoverage<P>(
  coverage: FeatureCollection<Polygon | MultiPolygon, P>,
  minWeights: number[],
): FeatureCollection<MultiPolygon, P>[] {
  if (coverage?.type !== 'FeatureCollection') throw new Error('Expected a GeoJSON FeatureCollection');
  for (const f of coverage.features) {
    const type = f.geometry?.type;
    if (type !== 'Polygon' && type !== 'MultiPolygon') throw new Error(`Expected polygons, got ${String(type)}`);
  }
  for (const w of minWeights) {
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`minWeight must be a finite number ≥ 0, got ${w}`);
  }
  // topojson's typings lose the property type; the shapes are checked above.
  const topo = presimplify(topology({ areas: coverage as FeatureCollection }) as unknown as Topology<Objects<{}>>);
  return minWeights.map((minWeight) => {
    // Rings that collapse below the weight are dropped rather than left degenerate.
    const simplified = simplify(topo, minWeight);
    const kept = filter(simplified, filterWeight(simplified, minWeight)) as unknown as Topology;
    const restored = feature(kept, kept.objects.areas) as unknown as FeatureCollection<Polygon | MultiPolygon, P>;
    return {
      type: 'FeatureCollection',
      features: restored.features.map((f, i) => toMulti(f, coverage.features[i])),
    };
  });
}

function toMulti<P>(f: Feature<Polygon | MultiPolygon, P>, original: Feature<Polygon | MultiPolygon, P>): Feature<MultiPolygon, P> {
  // A ward too small for this weight would vanish; keep its full shape instead.
  const geometry = f.geometry ?? original.geometry;
  const coordinates = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const safe = coordinates.length > 0 ? coordinates : original.geometry.type === 'Polygon' ? [original.geometry.coordinates] : original.geometry.coordinates;
  return { type: 'Feature', id: original.id, properties: original.properties, geometry: { type: 'MultiPolygon', coordinates: safe } };
}
