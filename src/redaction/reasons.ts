/**
 * Why something is removed, from the list a school DPO recognises. Each has the short code printed
 * in its box and listed in the redaction schedule; FOI and EIR exemptions only on those cases.
 */
export interface RedactionReason {
  code: string;
  name: string;
  law: string;
  /** Where it applies: data protection requests, or FOI/EIR requests. */
  applies: "data-protection" | "foi";
}

export const REDACTION_REASONS: readonly RedactionReason[] = [
  { code: "3P", name: "Another person's information", law: "DPA 2018 Schedule 2 paragraph 16", applies: "data-protection" },
  { code: "SH", name: "Serious harm (education, health or social work data)", law: "DPA 2018 Schedule 3", applies: "data-protection" },
  { code: "LP", name: "Legal professional privilege", law: "DPA 2018 Schedule 2 paragraph 19", applies: "data-protection" },
  { code: "CR", name: "Reference given in confidence", law: "DPA 2018 Schedule 2 paragraph 24", applies: "data-protection" },
  { code: "CT", name: "Crime and taxation", law: "DPA 2018 Schedule 2 paragraph 2", applies: "data-protection" },
  { code: "NR", name: "Not the requester's information (out of scope)", law: "UK GDPR Article 15", applies: "data-protection" },
  { code: "s40", name: "Personal information", law: "FOIA s40(2) / EIR regulation 13", applies: "foi" },
  { code: "s41", name: "Information provided in confidence", law: "FOIA s41", applies: "foi" },
  { code: "s38", name: "Health and safety", law: "FOIA s38 / EIR regulation 12(5)(a)", applies: "foi" },
  { code: "s31", name: "Law enforcement", law: "FOIA s31", applies: "foi" },
  { code: "s42", name: "Legal professional privilege", law: "FOIA s42 / EIR regulation 12(5)(b)", applies: "foi" },
  { code: "s43", name: "Commercial interests", law: "FOIA s43 / EIR regulation 12(5)(e)", applies: "foi" },
];

/** The usual reason for removing another person's data: in a SAR, Sch 2 para 16; in FOI/EIR, s40(2). */
export const THIRD_PARTY = "3P";
