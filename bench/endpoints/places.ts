import { reversePlace, searchPlaces } from '../../server/services/places.js';
import type { LngLat } from '../../spatial/types.js';
import type { BenchContext, BenchEndpoint } from '../types.js';

/**
 * Place search as citizens type it: every prefix of a few real queries (the
 * box asks again as each letter lands), typos and tone marks included. The
 * floor is the same search in process, without HTTP: the index is in memory,
 * so there is no SQL to compare with.
 */
const QUERIES = ['le duan', 'Lê Duẩn', 'le duna', 'cho trung tam', 'phuong tan lap', 'nguyen tat thanh', 'hung vuong', 'y jut', 'truong', 'benh vien']
  .flatMap((q) => Array.from({ length: q.length - 1 }, (_, i) => q.slice(0, i + 2)));

/** Pins within central Buôn Ma Thuột, where the streets and house numbers are. */
const pin = (): LngLat => [108.02 + Math.random() * 0.05, 12.65 + Math.random() * 0.05];

export const placesEndpoints: BenchEndpoint[] = [
  {
    name: 'GET /api/places/search (as typed)',
    request: (ctx: BenchContext) => ({ path: `/api/places/search?q=${encodeURIComponent(ctx.random(QUERIES))}&limit=8` }),
    floor: (ctx) => ({ run: (db) => searchPlaces(db, ctx.random(QUERIES), { limit: 8 }) }),
  },
  {
    name: 'GET /api/places/reverse',
    request: () => {
      const [lon, lat] = pin();
      return { path: `/api/places/reverse?lat=${lat}&lon=${lon}` };
    },
    floor: () => ({ run: (db) => reversePlace(db, pin()) }),
  },
];
