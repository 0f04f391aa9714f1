/**
 * Folds Vietnamese text for matching: lower case, no tone marks or other
 * diacritics, đ as d, one space between words, so "Lê Duẩn" and "le duan"
 * compare equal. The dashboard and the server fold the same way.
 * @example foldText('  Đường  Lê Duẩn ') // 'duong le duan'
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    // Combining marks (tones, circumflex, breve, horn) come apart under NFD; đ does not, it is its own letter.
    .replace(/\p{M}+/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Words people put before a name that are not the name: "Đường Lê Duẩn" is found as "Lê Duẩn", "Phường Tân Lập" as "Tân Lập". */
const LEADING_KIND = /^(duong|pho|phuong|xa|thi tran) (?=\S)/;

/**
 * The folded text without a leading "Đường", "Phố", "Phường", "Xã" or "Thị
 * trấn", for matching a name however it was typed.
 * @example matchKey('Phường Tân Lập') // 'tan lap'
 */
export function matchKey(text: string): string {
  return foldText(text).replace(LEADING_KIND, '');
}
