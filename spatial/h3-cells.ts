import { cellToBoundary, cellToLatLng, getHexagonEdgeLengthAvg, getResolution, isValidCell, latLngToCell, UNITS } from 'h3-js';
import type { LngLat } from './types.js';
import { assertLngLat } from './assert-lng-lat.js';

export const H3_RESOLUTIONS = [5, 6, 7, 8, 9] as const;
export type H3Resolution = (typeof H3_RESOLUTIONS)[number];

/** Column values for the precomputed H3 cells of a report, as decimal int8 strings. */
export interface H3Cells {
  h3_r5: string;
  h3_r6: string;
  h3_r7: string;
  h3_r8: string;
  h3_r9: string;
}

/**
 * Computes the H3 cells (resolutions 5–9) that contain a [lng, lat] point, as
 * int8 strings ready for the reports table.
 * @example h3CellsForPoint([108.0383, 12.6667]).h3_r7
 */
export function h3CellsForPoint(point: LngLat): H3Cells {
  assertLngLat(point);
  // h3-js takes [lat, lng]; this is the one place that order appears.
  // Each resolution is looked up on its own, not as the parent of the r9
  // cell: a parent does not cover all of its children, so about one point in
  // fifteen would be filed under a coarse hexagon that does not contain it.
  const at = (res: H3Resolution) => h3ToInt8(latLngToCell(point[1], point[0], res));
  return { h3_r5: at(5), h3_r6: at(6), h3_r7: at(7), h3_r8: at(8), h3_r9: at(9) };
}

/** Converts an H3 index (hex string) to the decimal string stored in a bigint column. */
export function h3ToInt8(cell: string): string {
  if (!isValidCell(cell)) throw new Error(`Not a valid H3 cell: ${cell}`);
  return BigInt(`0x${cell}`).toString();
}

/** Converts a bigint column value back to the H3 hex index. */
export function int8ToH3(value: string | bigint): string {
  let cell: string;
  try {
    cell = BigInt(value).toString(16);
  } catch {
    throw new Error(`Not a valid H3 cell: ${String(value)}`);
  }
  if (!isValidCell(cell)) throw new Error(`Not a valid H3 cell: ${String(value)}`);
  return cell;
}

/** Returns the resolution of an H3 cell, throwing on anything that is not a cell. */
export function h3Resolution(cell: string): number {
  if (!isValidCell(cell)) throw new Error(`Not a valid H3 cell: ${cell}`);
  return getResolution(cell);
}

/** Returns the closed GeoJSON ring ([lng, lat]) of an H3 cell. */
export function h3CellRing(cell: string): LngLat[] {
  if (!isValidCell(cell)) throw new Error(`Not a valid H3 cell: ${cell}`);
  const ring = cellToBoundary(cell, true) as LngLat[];
  return ring;
}

/** Returns the centre ([lng, lat]) of an H3 cell. */
export function h3CellCentre(cell: string): LngLat {
  if (!isValidCell(cell)) throw new Error(`Not a valid H3 cell: ${cell}`);
  const [lat, lng] = cellToLatLng(cell);
  return [lng, lat];
}

/** Returns the average edge length of cells at a resolution, in kilometres. */
export function h3EdgeLengthKm(res: number): number {
  return getHexagonEdgeLengthAvg(res, UNITS.km);
}
