import type { Map as MapLibreMap, PaddingOptions } from 'maplibre-gl';
import type { PlaceHit } from '../api.js';

/** Close enough to see the houses along a street, where a pin can be dropped on the right spot. */
export const PLACE_ZOOM = 16;

/** Moves a map to a search answer: a whole ward by its bounds, anything else to street level at its centre. */
export function flyToPlace(map: MapLibreMap, place: PlaceHit, padding?: PaddingOptions) {
  if (place.kind === 'ward' && place.bbox) {
    map.fitBounds(place.bbox as [number, number, number, number], { padding, duration: 800 });
  } else {
    map.flyTo({ center: place.center as [number, number], zoom: PLACE_ZOOM, duration: 800 });
  }
}
