import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/**
 * Fast "strictly inside" test for one polygon tested millions of times.
 * Ward outlines have ~4,000 vertices, so each turf test walks them all; a
 * coarse grid answers most points from a lookup and leaves turf only the
 * cells the outline passes through.
 */
export type InsideTest = (p: [number, number]) => boolean;

const OUTSIDE = 0;
const INSIDE = 1;
const BOUNDARY = 2;
const UNKNOWN = 3;

export function insideTester(geometry: Polygon | MultiPolygon, bbox: [number, number, number, number], size = 64): InsideTest {
  const [w, s, e, n] = bbox;
  const cw = (e - w) / size;
  const ch = (n - s) / size;
  const grid = new Uint8Array(size * size).fill(UNKNOWN);
  const col = (x: number) => Math.min(size - 1, Math.max(0, Math.floor((x - w) / cw)));
  const row = (y: number) => Math.min(size - 1, Math.max(0, Math.floor((y - s) / ch)));

  // Any cell an edge's bounding box touches may hold the outline: turf decides there.
  const rings: Position[][] = geometry.type === 'Polygon' ? geometry.coordinates : geometry.coordinates.flat();
  for (const ring of rings) {
    for (let i = 1; i < ring.length; i++) {
      const [x1, y1] = ring[i - 1];
      const [x2, y2] = ring[i];
      for (let r = row(Math.min(y1, y2)); r <= row(Math.max(y1, y2)); r++) {
        for (let c = col(Math.min(x1, x2)); c <= col(Math.max(x1, x2)); c++) grid[r * size + c] = BOUNDARY;
      }
    }
  }
  // Cells without outline form regions wholly inside or wholly outside: test one point per region.
  const stack: number[] = [];
  for (let start = 0; start < grid.length; start++) {
    if (grid[start] !== UNKNOWN) continue;
    const r0 = Math.floor(start / size);
    const c0 = start % size;
    const centre: [number, number] = [w + (c0 + 0.5) * cw, s + (r0 + 0.5) * ch];
    const state = booleanPointInPolygon(centre, geometry) ? INSIDE : OUTSIDE;
    grid[start] = state;
    stack.push(start);
    while (stack.length) {
      const k = stack.pop()!;
      const r = Math.floor(k / size);
      const c = k % size;
      for (const [nr, nc] of [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]]) {
        if (nr < 0 || nc < 0 || nr >= size || nc >= size) continue;
        const nk = nr * size + nc;
        if (grid[nk] === UNKNOWN) {
          grid[nk] = state;
          stack.push(nk);
        }
      }
    }
  }
  return (p) => {
    if (p[0] < w || p[0] > e || p[1] < s || p[1] > n) return false;
    const cell = grid[row(p[1]) * size + col(p[0])];
    if (cell === BOUNDARY) return booleanPointInPolygon(p, geometry, { ignoreBoundary: true });
    return cell === INSIDE;
  };
}
