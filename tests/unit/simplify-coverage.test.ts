import * as turf from '@turf/turf';
import { describe, expect, it } from 'vitest';
import { simplifyCoverage } from '../../spatial/simplify-coverage.js';
import { expectedOutput, goldenInputs } from './golden.js';

describe('simplifyCoverage', () => {
  for (const { name, input } of goldenInputs('simplify-coverage')) {
    it(`matches the golden output for ${name}`, () => {
      const [out] = simplifyCoverage(input as GeoJSON.FeatureCollection<GeoJSON.Polygon>, [1e-5]);
      expect(out).toEqual(expectedOutput('simplify-coverage', name, out));
    });
  }

  it('keeps the shared border shared: no gap and no overlap between neighbours', () => {
    const [{ input }] = goldenInputs('simplify-coverage');
    const [out] = simplifyCoverage(input as GeoJSON.FeatureCollection<GeoJSON.Polygon>, [1e-5]);
    const [west, east] = out.features;
    const overlap = turf.intersect(turf.featureCollection([west, east]));
    expect(overlap ? turf.area(overlap) : 0).toBeLessThan(1);
    const union = turf.union(turf.featureCollection([west, east]))!;
    const original = turf.union(turf.featureCollection((input as GeoJSON.FeatureCollection<GeoJSON.Polygon>).features))!;
    expect(Math.abs(turf.area(union) - turf.area(original)) / turf.area(original)).toBeLessThan(0.001);
    // The wiggly shared border (4 interior vertices) was simplified away.
    const vertices = (f: GeoJSON.Feature<GeoJSON.MultiPolygon>) => f.geometry.coordinates.flat(2).length;
    expect(vertices(west)).toBeLessThan(8);
  });

  it('throws on input that is not a polygon coverage', () => {
    expect(() => simplifyCoverage({ type: 'Feature' } as never, [1])).toThrow(/FeatureCollection/);
    const points = turf.featureCollection([turf.point([1, 2])]);
    expect(() => simplifyCoverage(points as never, [1])).toThrow(/polygons/);
    const square = turf.featureCollection([turf.bboxPolygon([0, 0, 1, 1])]);
    expect(() => simplifyCoverage(square, [Number.NaN])).toThrow(/minWeight/);
  });
});
