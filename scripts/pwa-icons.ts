/**
 * Renders the app icons for the web app manifest from the favicon's pin:
 * 192 and 512 px, plus a maskable 512 with the safe-zone padding Android
 * expects. Run: npx tsx scripts/pwa-icons.ts (the PNGs are committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const OUT = fileURLToPath(new URL('../dashboard/public/icons/', import.meta.url));
const PIN = 'M16 6.5c-4.1 0-7.3 3.1-7.3 7.2 0 5.2 7.3 12.8 7.3 12.8s7.3-7.6 7.3-12.8c0-4.1-3.2-7.2-7.3-7.2Zm0 10a2.8 2.8 0 1 1 0-5.6 2.8 2.8 0 0 1 0 5.6Z';

/** The pin on blue; `inset` shrinks the pin towards the centre (maskable icons get cropped to a circle). */
function svg(size: number, { rounded, inset }: { rounded: boolean; inset: number }): string {
  const scale = (size * (1 - 2 * inset)) / 32;
  const offset = size * inset;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <rect width="${size}" height="${size}" rx="${rounded ? size * 0.22 : 0}" fill="#1d4ed8"/>
  <path transform="translate(${offset} ${offset}) scale(${scale})" d="${PIN}" fill="#fff"/>
</svg>`;
}

fs.mkdirSync(OUT, { recursive: true });
const icons = [
  { name: 'icon-192.png', size: 192, rounded: true, inset: 0.06 },
  { name: 'icon-512.png', size: 512, rounded: true, inset: 0.06 },
  { name: 'icon-maskable-512.png', size: 512, rounded: false, inset: 0.18 },
  { name: 'apple-touch-icon.png', size: 180, rounded: false, inset: 0.1 },
];
for (const icon of icons) {
  await sharp(Buffer.from(svg(icon.size, icon))).png({ compressionLevel: 9 }).toFile(path.join(OUT, icon.name));
  console.log(`wrote ${path.join(OUT, icon.name)}`);
}
