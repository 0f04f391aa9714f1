/** A GeoJSON position: longitude first. */
export type LngLat = [number, number];
