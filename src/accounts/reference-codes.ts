/** Words that say what kind of place it is rather than which: left out of a reference code. */
const GENERIC_WORDS = new Set(["the", "of", "and", "school", "academy", "trust", "multi"]);

/**
 * A short code for an organisation of a trust, from its name's initials (Oak Hill Primary School
 * is OHP), made unique among the codes the trust already uses (OHP2). Each of its case references
 * begins with it, so two schools of one trust never share a reference.
 */
export function referenceCodeFor(name: string, taken: ReadonlySet<string>): string {
  const initials = name
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "" && !GENERIC_WORDS.has(word.toLowerCase()))
    .map((word) => word.charAt(0).toUpperCase())
    .join("")
    .slice(0, 4);
  const base = initials || "S";
  if (!taken.has(base)) {
    return base;
  }
  for (let number = 2; ; number += 1) {
    if (!taken.has(`${base}${number}`)) {
      return `${base}${number}`;
    }
  }
}
