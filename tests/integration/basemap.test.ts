import { VectorTile } from '@mapbox/vector-tile';
import * as turf from '@turf/turf';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import Pbf from 'pbf';
import { describe, expect, it } from 'vitest';
import { BASEMAP_PATH } from '../../server/domain/basemap.js';
import { lngLatToTile } from '../../spatial/tile-bounds.js';
import { testApp, testDb } from './context.js';

// Ngã Sáu Ban Mê, the centre of Buôn Ma Thuột.
const BMT: [number, number] = [108.0378, 12.6676];

// The basemap is files, not rows: one engine is enough.
describe('offline street basemap', () => {
  const get = async (path: string, headers: Record<string, string> = {}) => testApp(await testDb('embedded')).app.request(`${BASEMAP_PATH}${path}`, { headers });

  it('serves the street tile under central Buôn Ma Thuột with named roads, cacheable for good', async () => {
    const { x, y } = lngLatToTile(BMT, 14);
    const res = await get(`/tiles/14/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const tile = new VectorTile(new Pbf(new Uint8Array(await res.arrayBuffer())));
    expect(Object.keys(tile.layers)).toEqual(expect.arrayContaining(['transportation', 'transportation_name', 'building', 'poi']));
    const names = new Set<string>();
    const roads = tile.layers.transportation_name;
    for (let i = 0; i < roads.length; i++) names.add(String(roads.feature(i).properties['name:latin']));
    // Vietnamese names with their tone marks, as the labels will show them.
    expect([...names].some((n) => /[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]/i.test(n))).toBe(true);
  });

  it('answers a tile outside the crop with an empty 204, and bad coordinates with a 400 per field', async () => {
    expect((await get('/tiles/14/0/0.pbf')).status).toBe(204);
    expect((await get('/tiles/15/0/0.pbf')).status).toBe(204);
    const bad = await get('/tiles/a/1/2.png');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { fields: Record<string, string> } };
    expect(Object.keys(body.error.fields).sort()).toEqual(['y', 'z']);
  });

  it('serves glyphs for the Vietnamese ranges, an empty set for any other range, and refuses a malformed range', async () => {
    const vietnamese = await get('/fonts/Noto%20Sans%20Regular/7680-7935.pbf');
    expect(vietnamese.status).toBe(200);
    expect((await vietnamese.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    const cjk = await get('/fonts/Noto%20Sans%20Regular/19968-20223.pbf');
    expect(cjk.status).toBe(200);
    expect((await cjk.arrayBuffer()).byteLength).toBe(0);
    expect((await get('/fonts/Noto%20Sans%20Regular/10-300.pbf')).status).toBe(400);
    expect((await get('/fonts/Comic%20Sans/0-255.pbf')).status).toBe(400);
  });

  it('serves both sprite sheets', async () => {
    for (const theme of ['light', 'dark']) {
      const json = await get(`/sprites/${theme}@2x.json`);
      expect(json.status).toBe(200);
      expect(await json.json()).toHaveProperty('townspot');
      const png = await get(`/sprites/${theme}.png`);
      expect(png.headers.get('content-type')).toBe('image/png');
    }
    expect((await get('/sprites/..%2F..%2Fpackage.json')).status).toBe(400);
    expect((await get('/sprites/evil.json')).status).toBe(400);
  });

  it('paints the sea off Tuy Hòa and not over the town or inland', async () => {
    const res = await get('/sea.geojson');
    const sea = (await res.json()) as FeatureCollection<Polygon | MultiPolygon>;
    const wet = (lng: number, lat: number) => sea.features.some((f) => turf.booleanPointInPolygon([lng, lat], f));
    expect(wet(109.45, 13.08)).toBe(true); // a few km off the Tuy Hòa shore
    expect(wet(109.6, 12.5)).toBe(true);
    expect(wet(109.3, 13.09)).toBe(false); // Tuy Hòa
    expect(wet(...BMT)).toBe(false);
  });
});
