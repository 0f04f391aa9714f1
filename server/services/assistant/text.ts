import { foldText } from '../routing.js';

/** Folded (lower case, no tone marks) text with punctuation turned into single spaces, padded for whole-word search. */
export function normalise(text: string): string {
  return words(foldText(text.normalize('NFC')).replace(/[^a-z0-9]+/g, ' '));
}

/** Lower case with tone marks kept, punctuation turned into spaces, padded; for text typed with marks. */
export function normaliseMarked(text: string): string {
  return words(text.normalize('NFC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' '));
}

/** English plurals fold to the singular ("lights" → "light"); no Vietnamese syllable ends in s. */
function words(spaced: string): string {
  return ` ${spaced.trim().split(/\s+/).map((w) => (w.length >= 4 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w)).join(' ')} `;
}

/** Whether the text was typed with Vietnamese tone marks (then keywords must match with their marks too). */
export function hasVietnameseMarks(text: string): boolean {
  return VIETNAMESE_MARKS.test(text);
}

/** Whether a folded phrase occurs in normalised text as whole words. */
export function hasPhrase(normalised: string, phrase: string): boolean {
  return normalised.includes(` ${phrase} `);
}

/** Levenshtein distance, stopping early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** Whether any word of the text is within one edit of `word` (only for words long enough that a typo is likely a typo). */
export function hasFuzzyWord(normalised: string, word: string): boolean {
  if (word.length < 6) return false;
  return normalised.trim().split(' ').some((w) => w.length >= 5 && w[0] === word[0] && editDistance(w, word, 1) <= 1);
}

/** Vietnamese letters that only Vietnamese uses; any of them means the text is Vietnamese. */
const VIETNAMESE_MARKS = /[ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i;
const ENGLISH_WORDS = new Set([
  // Words that are also tone-free Vietnamese ("on" = ồn, "long" = lòng, "to", "no" = nổ) are left out.
  'the', 'is', 'my', 'an', 'how', 'what', 'where', 'when', 'report', 'street', 'there', 'broken', 'please', 'help',
  'hello', 'want', 'status', 'does', 'of', 'for', 'not', 'yes', 'here', 'near', 'light', 'lights', 'road', 'water',
  'power', 'trash', 'garbage', 'tree', 'noise', 'planning', 'call', 'fire', 'and', 'with', 'has', 'have', 'been', 'our',
  'can', 'file', 'complaint', 'problem', 'tracking', 'code', 'outside', 'house', 'days', 'take', 'rate', 'rating', 'who',
]);

/** The language a message is clearly written in, or undefined when it could be either (short tone-free text). */
export function messageLang(text: string): 'vi' | 'en' | undefined {
  if (VIETNAMESE_MARKS.test(text)) return 'vi';
  const words = normalise(text).trim().split(' ').filter(Boolean);
  if (!words.length) return undefined;
  const english = words.filter((w) => ENGLISH_WORDS.has(w)).length;
  return english >= 1 && english / words.length >= 0.2 ? 'en' : undefined;
}

/** The language of a message: Vietnamese unless it is clearly English. */
export function detectLang(text: string): 'vi' | 'en' {
  return messageLang(text) ?? 'vi';
}
