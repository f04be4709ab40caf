/** Words that say what kind of place it is rather than which: left out of a reference code. */
const GENERIC_WORDS = new Set(["the", "of", "and", "school", "academy", "trust", "multi"]);

/**
 * A short code for an organisation of a trust, from its name's initials (Oak Hill Primary School
 * is OHP), made unique among the codes the trust already uses (OHP2). Each of its case references
 * begins with it, so two schools of one trust never share a reference.
 */
export function referenceCodeFor(name: string, taken: ReadonlySet<string>): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== "" && !GENERIC_WORDS.has(word.toLowerCase()));
  // One word (Elm Academy) gives its first three letters, ELM, rather than a lone E.
  const base = (words.length === 1 ? words[0]!.slice(0, 3) : words.map((word) => word.charAt(0)).join("").slice(0, 4)).toUpperCase() || "S";
  if (!taken.has(base)) {
    return base;
  }
  for (let number = 2; ; number += 1) {
    if (!taken.has(`${base}${number}`)) {
      return `${base}${number}`;
    }
  }
}
