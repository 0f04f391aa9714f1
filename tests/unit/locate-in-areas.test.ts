import type { Feature, Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { locateInAreas } from '../../spatial/locate-in-areas.js';

const square = (code: string, [w, s, e, n]: number[]): Feature<Polygon, { code: string }> => ({
  type: 'Feature',
  properties: { code },
  geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
});

describe('locateInAreas', () => {
  // An L-shaped area whose bounding box also covers its neighbour's corner: the box alone must not decide.
  const ell: Feature<Polygon, { code: string }> = {
    type: 'Feature',
    properties: { code: 'L' },
    geometry: { type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]] },
  };
  const locate = locateInAreas([ell, square('corner', [1, 1, 2, 2]), square('east', [3, 0, 4, 1])]);

  it('answers the area that holds the point, not the first whose box does', () => {
    expect(locate([0.5, 1.5])?.properties.code).toBe('L');
    expect(locate([1.5, 1.5])?.properties.code).toBe('corner');
    expect(locate([3.5, 0.5])?.properties.code).toBe('east');
  });

  it('answers undefined outside every area', () => {
    expect(locate([2.5, 0.5])).toBeUndefined();
    expect(locate([-10, 50])).toBeUndefined();
  });

  it('throws on a position that is not [lng, lat]', () => {
    expect(() => locate([200, 0])).toThrow(/Longitude/);
  });
});
