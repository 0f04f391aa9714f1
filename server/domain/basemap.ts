/**
 * Where the server serves the offline street basemap (tiles, glyphs, sprites,
 * sea). The path carries the data's version, so browsers and the service worker
 * may keep every file for good: change the version whenever a basemap file changes.
 */
export const BASEMAP_PATH = '/basemap/osm-2021-08.1';
