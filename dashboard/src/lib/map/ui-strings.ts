import type { Map as MaplibreMap } from 'maplibre-gl';
import { i18n } from '../i18n.svelte.js';

/** maplibre's own UI strings (its controls' labels, the two-finger hint) in the page's language. */
export function mapUiStrings(): Record<string, string> {
  return {
    'CooperativeGesturesHandler.WindowsHelpText': i18n.t('citizen.map.coopDesktop'),
    'CooperativeGesturesHandler.MacHelpText': i18n.t('citizen.map.coopMac'),
    'CooperativeGesturesHandler.MobileHelpText': i18n.t('citizen.map.coopMobile'),
    'NavigationControl.ZoomIn': i18n.t('map.zoomIn'),
    'NavigationControl.ZoomOut': i18n.t('map.zoomOut'),
    'AttributionControl.ToggleAttribution': i18n.t('map.attributionToggle'),
    'AttributionControl.MapFeedback': i18n.t('map.feedback'),
    'Map.Title': i18n.t('map.title'),
    'Marker.Title': i18n.t('map.marker'),
  };
}

/**
 * Writes the page's language into controls maplibre has already built. It reads its strings only when it
 * builds a control, and has no call to change them, so without this a language switched on a map page
 * leaves the zoom buttons and the map's name in the old one.
 */
export function relabelMapControls(map: MaplibreMap, strings = mapUiStrings()) {
  const root = map.getContainer();
  const label = (selector: string, key: string, attributes: string[]) => {
    for (const el of root.querySelectorAll(selector)) for (const a of attributes) el.setAttribute(a, strings[key]);
  };
  label('.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn', ['title', 'aria-label']);
  label('.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut', ['title', 'aria-label']);
  label('.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution', ['title', 'aria-label']);
  label('.maplibregl-canvas', 'Map.Title', ['aria-label']);
  // maplibre picks the Mac wording by the same test.
  const hint = (selector: string, key: string) => {
    for (const el of root.querySelectorAll(selector)) el.textContent = strings[key];
  };
  hint('.maplibregl-desktop-message', /Mac/.test(navigator.userAgent) ? 'CooperativeGesturesHandler.MacHelpText' : 'CooperativeGesturesHandler.WindowsHelpText');
  hint('.maplibregl-mobile-message', 'CooperativeGesturesHandler.MobileHelpText');
}
