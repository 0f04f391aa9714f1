import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve('fixtures/spatial');

/** Rounds every number so golden files compare stably across platforms. */
export function roundDeep<T>(value: T, digits = 6): T {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'number' ? Number(v.toFixed(digits)) : v)));
}

export function goldenInputs(module: string): { name: string; input: unknown }[] {
  const dir = path.join(ROOT, module, 'in');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.geojson')).sort()
    .map((name) => ({ name, input: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) }));
}

/** Compares with fixtures/spatial/<module>/out/<name>; REGEN=1 rewrites it instead. */
export function expectedOutput(module: string, name: string, actual: unknown): unknown {
  const file = path.join(ROOT, module, 'out', name);
  const rounded = roundDeep(actual);
  if (process.env.REGEN === '1' || !fs.existsSync(file)) {
    if (!process.env.REGEN && process.env.CI) throw new Error(`Missing golden file ${file}; run with REGEN=1`);
    fs.writeFileSync(file, `${JSON.stringify(rounded, null, 1)}\n`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
