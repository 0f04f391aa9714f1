// With the code that makes a map, so that a page without one (the report form's first step) never loads it.
import 'maplibre-gl/dist/maplibre-gl.css';
import maplibregl, { type ControlPosition, type MapOptions } from 'maplibre-gl';
import { i18n } from '../i18n.svelte.js';
import { mapUiStrings } from './ui-strings.js';

/** Where the three maps (citizen, province, console) start when they are given no view: the whole province. */
export const PROVINCE_CENTER: [number, number] = [108.4, 12.9];
export const PROVINCE_ZOOM = 7.5;

/**
 * A map as every map of the product starts: the province in view; no rotation or tilt, which only confuse
 * on a province map; the data credits (OpenStreetMap and OpenMapTiles come with the style, and VietMap's
 * licence asks for credit for our boundaries); maplibre's own labels in the page's language; and a scale.
 */
export function createMap(options: Omit<MapOptions, 'attributionControl' | 'locale'>, scale: { maxWidth: number; position: ControlPosition }): maplibregl.Map {
  const map = new maplibregl.Map({
    center: PROVINCE_CENTER,
    zoom: PROVINCE_ZOOM,
    minZoom: 6,
    ...options,
    attributionControl: { customAttribution: i18n.t('map.attribution') },
    locale: mapUiStrings(),
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new maplibregl.ScaleControl({ maxWidth: scale.maxWidth, unit: 'metric' }), scale.position);
  return map;
}
