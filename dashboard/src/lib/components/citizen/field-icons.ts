/**
 * The fields' icons: simple 24×24 stroke drawings, inline (no icon font, nothing fetched), keyed by the
 * icon name /api/fields gives (Lucide names). FieldIcon.svelte draws them, and the build puts them in
 * index.html for the form's static first step (vite.config.ts).
 */
export const FIELD_ICONS: Record<string, string[]> = {
  construction: ['M3 21h18', 'M6 21l4-14h4l4 14', 'M8.2 14h7.6', 'M9.4 10h5.2', 'M12 3v4'],
  lightbulb: ['M9 18h6', 'M10 21h4', 'M12 3a6 6 0 0 0-3.6 10.8c.6.5 1 1.2 1 2V16h5.2v-.2c0-.8.4-1.5 1-2A6 6 0 0 0 12 3Z'],
  'trash-2': ['M3 6h18', 'M8 6V4h8v2', 'M5 6l1 15h12l1-15', 'M10 10v7', 'M14 10v7'],
  droplets: ['M12 3s-6 6.6-6 11a6 6 0 0 0 12 0c0-4.4-6-11-6-11Z', 'M9.5 14.5a2.5 2.5 0 0 0 2.5 2.5'],
  zap: ['M13 2 4 14h7l-1 8 9-12h-7l1-8Z'],
  store: ['M3 9l2-5h14l2 5', 'M3 9h18v2a3 3 0 0 1-6 0 3 3 0 0 1-6 0 3 3 0 0 1-6 0V9Z', 'M5 13v8h14v-8', 'M10 21v-5h4v5'],
  wind: ['M3 8h11a3 3 0 1 0-3-3', 'M3 12h16a3 3 0 1 1-3 3', 'M3 16h8'],
  map: ['M3 6l6-3 6 3 6-3v15l-6 3-6-3-6 3V6Z', 'M9 3v15', 'M15 6v15'],
  trees: ['M8 21v-5', 'M8 16a5 5 0 0 1-3-9 4 4 0 0 1 7-2 4.5 4.5 0 0 1-1 9.5Z', 'M17 21v-4', 'M14 17h6l-3-6-3 6Z', 'M14.5 13h5l-2.5-5-2.5 5Z'],
  'shield-alert': ['M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6l8-3Z', 'M12 8v5', 'M12 16.5v.5'],
  'user-round-x': ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8Z', 'M4 21a8 8 0 0 1 11-7.4', 'M17 16l4 4', 'M21 16l-4 4'],
};
export const FALLBACK_ICON = ['M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18Z', 'M12 8v5', 'M12 16v.5'];
