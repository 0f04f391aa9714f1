import type maplibregl from 'maplibre-gl';

declare global {
  interface Window {
    /** The map of the page on screen, so browser tests can turn coordinates into pixels (map.project). */
    __map?: maplibregl.Map;
  }
}

/** Hands a map to browser tests; harmless in production, where nothing reads it. */
export function exposeMapForTests(map: maplibregl.Map | undefined) {
  window.__map = map;
}
