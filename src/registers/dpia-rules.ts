import type { Condition } from "./lawful-bases.ts";

/*
 * The rules a DPIA runs on, from ../shared/reference/uk-rules.md §6: when one is needed (Article
 * 35(3) and the ICO's list under Article 35(4)), and how a risk is scored (the ICO's template:
 * likelihood × severity). Pure functions, so they are tested alone.
 */

/** Article 35(3): a DPIA is always required. */
export const ALWAYS_REQUIRED = [
  { id: "35-3-a", label: "Systematic and extensive evaluation of people by automated processing, including profiling, with decisions that have legal or similarly significant effects" },
  { id: "35-3-b", label: "Large-scale processing of special category or criminal offence data" },
  { id: "35-3-c", label: "Systematic monitoring of a publicly accessible area on a large scale" },
] as const satisfies readonly Condition[];

/** The ICO's list (Article 35(4)), and WP248's vulnerable people. Those marked `withAnother` need a DPIA only with another criterion. */
export const ICO_CRITERIA = [
  { id: "innovative", label: "New technology, or a new use of existing technology, including AI", withAnother: true },
  { id: "denial-of-service", label: "Decisions about access to a service, opportunity or benefit, made by automated means or using special category data", withAnother: false },
  { id: "profiling", label: "Profiling people on a large scale", withAnother: false },
  { id: "biometric", label: "Biometric data used to identify someone (such as fingerprint catering)", withAnother: true },
  { id: "genetic", label: "Genetic data", withAnother: true },
  { id: "data-matching", label: "Combining, comparing or matching data from several sources", withAnother: false },
  { id: "invisible", label: "Data not obtained from the people themselves, where telling them is impossible or disproportionate", withAnother: false },
  { id: "tracking", label: "Tracking people’s location or behaviour, including online", withAnother: false },
  { id: "children", label: "Children’s or vulnerable people’s data used for marketing, profiling or automated decisions, or an online service offered directly to children", withAnother: false },
  { id: "physical-harm", label: "A breach could put someone’s physical health or safety at risk", withAnother: false },
  // WP248's criterion of vulnerable data subjects, which the ICO's marked items count with: a school's pupils are children.
  { id: "vulnerable", label: "The people are children or otherwise vulnerable (counts with the criteria that need another)", withAnother: true },
] as const satisfies readonly (Condition & { withAnother: boolean })[];

/** School examples likely to need a DPIA, and the criteria each usually meets (the DPO confirms them). */
export const SCHOOL_EXAMPLES = [
  { id: "cctv", label: "CCTV over a large area", criteria: ["35-3-c", "tracking"] },
  { id: "biometrics", label: "Biometrics (such as fingerprint catering)", criteria: ["biometric", "vulnerable"] },
  { id: "edtech", label: "A new edtech app or online service for pupils", criteria: ["children", "innovative", "vulnerable"] },
  { id: "safeguarding", label: "Safeguarding, monitoring or filtering software", criteria: ["tracking", "children", "physical-harm"] },
  { id: "mis", label: "A new MIS or cloud platform holding SEN or health data", criteria: ["35-3-b", "data-matching"] },
  { id: "ai", label: "An AI tool", criteria: ["innovative", "profiling"] },
] as const;

export interface Screening {
  needed: boolean;
  /** Why, in words for the record. */
  reasons: string[];
}

const labelsOf = (ids: readonly string[]) => [...ALWAYS_REQUIRED, ...ICO_CRITERIA].filter((item) => ids.includes(item.id)).map((item) => item.label);

/**
 * Whether a DPIA is needed: any Article 35(3) case; any ICO criterion that stands alone; or one
 * that needs another, with another. Otherwise it is not required, though the ICO treats one as
 * good practice for any major new processing.
 */
export function screen(criteria: readonly string[]): Screening {
  const always = ALWAYS_REQUIRED.filter((item) => criteria.includes(item.id)).map((item) => item.id);
  const ico = ICO_CRITERIA.filter((item) => criteria.includes(item.id));
  const alone = ico.filter((item) => !item.withAnother);
  if (always.length) {
    return { needed: true, reasons: [`Article 35(3) requires one: ${labelsOf(always).join("; ")}.`] };
  }
  if (alone.length) {
    return { needed: true, reasons: [`It is on the ICO’s list of processing that needs one: ${alone.map((item) => item.label).join("; ")}.`] };
  }
  if (ico.length >= 2) {
    return { needed: true, reasons: [`It meets ${ico.length} criteria together: ${ico.map((item) => item.label).join("; ")}.`] };
  }
  if (ico.length === 1) {
    return { needed: false, reasons: [`It meets one criterion that needs another with it (${ico[0]!.label}), and no other. A DPIA is still good practice for major new processing.`] };
  }
  return { needed: false, reasons: ["It meets none of the criteria. A DPIA is still good practice for any major new processing."] };
}

/** The criteria the chosen school examples usually meet, added to those ticked. */
export function criteriaWithExamples(criteria: readonly string[], examples: readonly string[]): string[] {
  const fromExamples = SCHOOL_EXAMPLES.filter((example) => examples.includes(example.id)).flatMap((example) => example.criteria);
  return [...new Set([...criteria, ...fromExamples])];
}

/**
 * A DPIA's content without its sign-off: for a copy, an export, or a new version, which are signed
 * afresh (step 7's answers and the signed marks belong to the version that was signed).
 */
export function withoutSignOff(details: Record<string, unknown>): Record<string, unknown> {
  const { signed: _signed, signedOn: _on, signedVersion: _version, draftAfter: _after, ...rest } = details;
  const { signoff: _signoff, ...steps } = (rest["steps"] as Record<string, unknown> | undefined) ?? {};
  return { ...rest, steps };
}

export const LIKELIHOODS = [
  { id: "remote", label: "Remote", score: 1 },
  { id: "possible", label: "Possible", score: 2 },
  { id: "probable", label: "Probable", score: 3 },
] as const;

export const SEVERITIES = [
  { id: "minimal", label: "Minimal", score: 1 },
  { id: "significant", label: "Significant", score: 2 },
  { id: "severe", label: "Severe", score: 3 },
] as const;

export type RiskLevel = "low" | "medium" | "high";

/** The ICO template's matrix: likelihood × severity, 1–2 low, 3–4 medium, 6–9 high. */
export function riskLevel(likelihood: string, severity: string): RiskLevel | undefined {
  const l = LIKELIHOODS.find((item) => item.id === likelihood)?.score;
  const s = SEVERITIES.find((item) => item.id === severity)?.score;
  if (!l || !s) return undefined;
  const score = l * s;
  return score <= 2 ? "low" : score <= 4 ? "medium" : "high";
}

export const MEASURE_EFFECTS = [
  { id: "eliminated", label: "Eliminated" },
  { id: "reduced", label: "Reduced" },
  { id: "accepted", label: "Accepted" },
] as const satisfies readonly Condition[];

export interface Risk {
  id: string;
  description: string;
  likelihood: string;
  severity: string;
  measure: string;
  measureOwner: string;
  measureDueOn: string;
  effect: string;
  likelihoodAfter: string;
  severityAfter: string;
  approved: string;
}

/** Article 36(1): a high risk left after the measures means consulting the ICO before the processing starts. */
export function needsPriorConsultation(risks: readonly Risk[]): boolean {
  return risks.some((risk) => riskLevel(risk.likelihoodAfter || risk.likelihood, risk.severityAfter || risk.severity) === "high");
}
