/*
 * The lawful bases and conditions a processing activity records, from ../shared/reference/uk-rules.md
 * §7 (UK GDPR Articles 6, 9 and 10; DPA 2018 Schedule 1). Codes are the law's own numbering, so a
 * record reads the same to the ICO as to the school.
 */

export interface Condition {
  id: string;
  label: string;
  hint?: string;
}

/** Article 6(1): every processing activity needs at least one. */
export const ARTICLE_6_BASES = [
  { id: "6-1-a", label: "6(1)(a) Consent", hint: "For example photographs on the website, optional clubs" },
  { id: "6-1-b", label: "6(1)(b) Contract", hint: "For example a member of staff’s employment contract, paid lettings" },
  { id: "6-1-c", label: "6(1)(c) Legal obligation", hint: "For example census returns, registers, safer recruitment checks" },
  { id: "6-1-d", label: "6(1)(d) Vital interests", hint: "Life-or-death situations" },
  { id: "6-1-e", label: "6(1)(e) Public task", hint: "The main basis for a school’s education functions" },
  { id: "6-1-ea", label: "6(1)(ea) Recognised legitimate interest", hint: "From 5 February 2026, an Annex 1 condition such as safeguarding. Not for a public authority’s own tasks" },
  { id: "6-1-f", label: "6(1)(f) Legitimate interests", hint: "Needs a balancing test. Not for a public authority’s own tasks" },
] as const satisfies readonly Condition[];

/** Article 9(2): needed as well where the activity uses special category data. */
export const ARTICLE_9_CONDITIONS = [
  { id: "9-2-a", label: "9(2)(a) Explicit consent" },
  { id: "9-2-b", label: "9(2)(b) Employment, social security and social protection law", hint: "Also needs Schedule 1 paragraph 1" },
  { id: "9-2-c", label: "9(2)(c) Vital interests where the person cannot consent" },
  { id: "9-2-d", label: "9(2)(d) Not-for-profit body, members only" },
  { id: "9-2-e", label: "9(2)(e) Made public by the person" },
  { id: "9-2-f", label: "9(2)(f) Legal claims or judicial acts" },
  { id: "9-2-g", label: "9(2)(g) Substantial public interest", hint: "Also needs a Schedule 1 Part 2 condition" },
  { id: "9-2-h", label: "9(2)(h) Health or social care", hint: "Also needs Schedule 1 paragraph 2" },
  { id: "9-2-i", label: "9(2)(i) Public health", hint: "Also needs Schedule 1 paragraph 3" },
  { id: "9-2-j", label: "9(2)(j) Archiving, research or statistics", hint: "Also needs Schedule 1 paragraph 4" },
] as const satisfies readonly Condition[];

/** The Article 9 conditions that DPA 2018 s10 ties to a Schedule 1 condition. */
export const NEEDS_SCHEDULE_1: readonly string[] = ["9-2-b", "9-2-g", "9-2-h", "9-2-i", "9-2-j"];

/**
 * Which Schedule 1 paragraphs meet each of them (s10(2)–(3)): Part 1's paragraph 1 to 4 for (b),
 * (h), (i) and (j), any Part 2 paragraph for (g).
 */
export const SCHEDULE_1_FOR: Record<string, readonly string[]> = {
  "9-2-b": ["s1-1"],
  "9-2-h": ["s1-2"],
  "9-2-i": ["s1-3"],
  "9-2-j": ["s1-4"],
  "9-2-g": ["s1-6", "s1-8", "s1-10", "s1-16", "s1-17", "s1-18", "s1-19"],
};

/** DPA 2018 Schedule 1 conditions (Part 1, the Part 2 paragraphs schools use, and Part 3 for criminal offence data). */
export const SCHEDULE_1_CONDITIONS = [
  { id: "s1-1", label: "Para 1 Employment, social security and social protection", hint: "Needs an appropriate policy document" },
  { id: "s1-2", label: "Para 2 Health or social care purposes" },
  { id: "s1-3", label: "Para 3 Public health" },
  { id: "s1-4", label: "Para 4 Research, statistics and archiving" },
  { id: "s1-6", label: "Para 6 Statutory and government purposes", hint: "For example census returns and SEN statutory duties" },
  { id: "s1-8", label: "Para 8 Equality of opportunity or treatment", hint: "Equality monitoring: never decisions about one person" },
  { id: "s1-10", label: "Para 10 Preventing or detecting unlawful acts" },
  { id: "s1-16", label: "Para 16 Support for individuals with a particular disability or medical condition" },
  { id: "s1-17", label: "Para 17 Counselling" },
  { id: "s1-18", label: "Para 18 Safeguarding of children and of individuals at risk" },
  { id: "s1-19", label: "Para 19 Safeguarding of economic well-being of certain individuals" },
  { id: "s1-33", label: "Para 33 Legal claims (criminal offence data)", hint: "Part 3: no appropriate policy document needed" },
  { id: "s1-36", label: "Para 36 Substantial public interest conditions, for criminal offence data", hint: "Part 3: a Part 2 condition applied to criminal offence data" },
] as const satisfies readonly Condition[];

/** The special categories of personal data (Article 9(1)), in the words a school uses. */
export const SPECIAL_CATEGORIES = [
  { id: "health", label: "Health, including SEN and medical needs" },
  { id: "ethnicity", label: "Racial or ethnic origin" },
  { id: "religion", label: "Religious or philosophical beliefs" },
  { id: "biometric", label: "Biometric data to identify someone (such as fingerprints)" },
  { id: "genetic", label: "Genetic data" },
  { id: "sex-life", label: "Sex life or sexual orientation" },
  { id: "political", label: "Political opinions" },
  { id: "trade-union", label: "Trade union membership" },
] as const satisfies readonly Condition[];

/** Whose data a school's processing usually touches. */
export const DATA_SUBJECTS = [
  { id: "pupils", label: "Pupils" },
  { id: "parents", label: "Parents and carers" },
  { id: "staff", label: "Staff" },
  { id: "applicants", label: "Job applicants" },
  { id: "governors", label: "Governors and trustees" },
  { id: "volunteers", label: "Volunteers" },
  { id: "visitors", label: "Visitors" },
  { id: "contractors", label: "Contractors and suppliers’ staff" },
  { id: "former-pupils", label: "Former pupils" },
] as const satisfies readonly Condition[];

/** How data reaches a country outside the UK lawfully (UK GDPR Chapter V). */
export const TRANSFER_SAFEGUARDS = [
  { id: "adequacy", label: "UK adequacy regulations (such as the EEA, or the UK-US data bridge)" },
  { id: "idta", label: "International data transfer agreement (IDTA)" },
  { id: "addendum", label: "The UK addendum to the EU standard contractual clauses" },
  { id: "bcr", label: "Binding corporate rules" },
  { id: "derogation", label: "An Article 49 exception" },
] as const satisfies readonly Condition[];

export const labelOf = (list: readonly Condition[], id: string): string => list.find((item) => item.id === id)?.label ?? id;
