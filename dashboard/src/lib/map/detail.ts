/**
 * The server serves three boundary simplifications, chosen by zoom (below 9,
 * below 12, 12 and up). Asking with one representative zoom per band keeps the
 * URL, and so the browser cache entry, the same while the user zooms within it.
 */
export function detailZoom(zoom: number): 8 | 10 | 12 {
  if (zoom < 9) return 8;
  if (zoom < 12) return 10;
  return 12;
}
