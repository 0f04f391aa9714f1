import { CODE_ALPHABET, CODE_LENGTH } from '../report-code.js';

/**
 * A small seeded PRNG and the distributions the demo generator draws from.
 * Everything random in the seed goes through here, so a seed reproduces the
 * same data set (Math.random() would not).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  (): number;
}

/** mulberry32: 32-bit state, fast, and good enough for demo data (not for secrets). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Derives an independent stream from a seed and a label, so adding draws to one part does not shift the others. */
export function substream(seed: number, label: string): Rng {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return mulberry32(h);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Standard normal (Box–Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Log-normal with the given median and log-space spread. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Picks an index with probability proportional to its weight, by binary search over precomputed cumulative weights. */
export class WeightedPicker<T> {
  readonly #items: T[];
  readonly #cumulative: number[];

  constructor(entries: readonly (readonly [T, number])[]) {
    let total = 0;
    this.#items = [];
    this.#cumulative = [];
    for (const [item, weight] of entries) {
      if (!(weight >= 0)) throw new Error(`Negative or NaN weight ${weight}`);
      if (weight === 0) continue;
      total += weight;
      this.#items.push(item);
      this.#cumulative.push(total);
    }
    if (total === 0) throw new Error('WeightedPicker needs at least one positive weight');
  }

  pick(rng: Rng): T {
    const x = rng() * this.#cumulative[this.#cumulative.length - 1];
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.#items[lo];
  }
}

/** A tracking code in the live format (report-code.ts) but from the seeded PRNG; unique only with a Set the caller keeps. */
export function randomCode(rng: Rng): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[Math.floor(rng() * CODE_ALPHABET.length)];
  return code;
}
