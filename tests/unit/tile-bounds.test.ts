import { describe, expect, it } from 'vitest';
import { isValidTile, lngLatToTile, tileToBbox } from '../../spatial/tile-bounds.js';
import { expectedOutput, goldenInputs, roundDeep } from './golden.js';

describe('tile bounds', () => {
  for (const { name, input } of goldenInputs('tile-bounds')) {
    it(`matches the golden output for ${name}`, () => {
      const fc = input as GeoJSON.FeatureCollection<GeoJSON.Point, { name: string; z: number }>;
      const actual = {
        type: 'FeatureCollection',
        features: fc.features.map((f) => {
          const tile = lngLatToTile(f.geometry.coordinates as [number, number], f.properties.z);
          const [w, s, e, n] = tileToBbox(tile);
          return {
            type: 'Feature',
            properties: { ...f.properties, tile: `${tile.z}/${tile.x}/${tile.y}` },
            geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] },
          };
        }),
      };
      expect(roundDeep(actual)).toEqual(expectedOutput('tile-bounds', name, actual));
    });
  }

  it('round-trips z/x/y → bbox → z/x/y at every zoom', () => {
    for (let z = 0; z <= 20; z++) {
      const n = 2 ** z;
      for (const [x, y] of [[0, 0], [n - 1, n - 1], [Math.floor(n * 0.8), Math.floor(n * 0.44)]]) {
        const [w, s, e, north] = tileToBbox({ z, x, y });
        const centre: [number, number] = [(w + e) / 2, (s + north) / 2];
        expect(lngLatToTile(centre, z)).toEqual({ z, x, y });
      }
    }
  });

  it('puts central Buôn Ma Thuột in the expected z14 tile, taking [lng, lat]', () => {
    expect(lngLatToTile([108.0383, 12.6667], 14)).toEqual({ z: 14, x: 13108, y: 7610 });
    const [w, s, e, n] = tileToBbox({ z: 14, x: 13108, y: 7610 });
    expect(108.0383).toBeGreaterThanOrEqual(w);
    expect(108.0383).toBeLessThan(e);
    expect(12.6667).toBeGreaterThanOrEqual(s);
    expect(12.6667).toBeLessThan(n);
  });

  it('rejects addresses that are not tiles', () => {
    expect(isValidTile({ z: 3, x: 8, y: 0 })).toBe(false);
    expect(isValidTile({ z: -1, x: 0, y: 0 })).toBe(false);
    expect(isValidTile({ z: 25, x: 0, y: 0 })).toBe(false);
    expect(isValidTile({ z: 2, x: 1.5, y: 0 })).toBe(false);
    expect(isValidTile({ z: 0, x: 0, y: 0 })).toBe(true);
    expect(() => tileToBbox({ z: 1, x: 2, y: 0 })).toThrow(RangeError);
    expect(() => lngLatToTile([12.6, 200], 3)).toThrow(RangeError);
  });
});
