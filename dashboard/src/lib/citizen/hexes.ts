import { cellToLatLng, latLngToCell } from 'h3-js';

export interface HexBin {
  hex: string;
  count: number;
  /** The cell's centre, [lng, lat], where its count is written. */
  centre: [number, number];
}

/** H3 resolution for a zoom: cells stay roughly 30–60 px across on screen. */
export function hexResolution(zoom: number): number {
  if (zoom < 8) return 5;
  if (zoom < 9) return 6;
  return 7;
}

/**
 * Counts [lng, lat] points per H3 cell. h3-js takes [lat, lng]; this is the
 * one place in the dashboard that order appears.
 */
export function binPoints(points: Iterable<[number, number]>, resolution: number): HexBin[] {
  const counts = new Map<string, number>();
  for (const [lng, lat] of points) {
    const hex = latLngToCell(lat, lng, resolution);
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return [...counts].map(([hex, count]) => {
    const [lat, lng] = cellToLatLng(hex);
    return { hex, count, centre: [lng, lat] };
  });
}
