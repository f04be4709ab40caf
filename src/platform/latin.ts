/*
 * Letters outside Latin-1 as their nearest Latin letter (ś → s, ŵ → w, Ł → L): for a PDF written
 * in a built-in font, and for an address made from a name. Other scripts are left as they are.
 */

/** Letters with no decomposition to a base letter. */
const NEAREST: Record<string, string> = { Ł: "L", ł: "l", Đ: "D", đ: "d", Ħ: "H", ħ: "h", ı: "i", Ŀ: "L", ŀ: "l", Ŧ: "T", ŧ: "t", Ø: "O", ø: "o" };

/** One character as its nearest Latin letter(s), or itself when it has none. */
export function nearestLatin(char: string): string {
  const named = NEAREST[char];
  if (named) {
    return named;
  }
  const base = char.normalize("NFKD").replace(/\p{M}/gu, "");
  return base && base !== char && /^[\x20-\x7e]+$/.test(base) ? base : char;
}
