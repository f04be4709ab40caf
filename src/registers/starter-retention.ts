/*
 * The IRMS Information Management Toolkit for Schools rows in ../shared/reference/uk-rules.md §8,
 * as a school's retention schedule to start from: editable defaults, each marked as the reference
 * marks it (verified, corroborated, or not yet verified against the current toolkit), plus the
 * rules for Steward's own closed cases, which are the school's decision.
 */

export type RetentionStarter = {
  key: string;
  title: string;
  trigger: string;
  period: string;
  action: "destroy" | "review" | "transfer" | "permanent";
  source: "verified" | "corroborated" | "unverified" | "own";
  reason: string;
  caseRecords: string[];
  keepMonths: string;
  processingIds: string[];
};

const row = (key: string, title: string, trigger: string, period: string, action: RetentionStarter["action"], source: RetentionStarter["source"]): RetentionStarter => ({ key, title, trigger, period, action, source, reason: "", caseRecords: [], keepMonths: "", processingIds: [] });

export const STARTER_RETENTION: readonly RetentionStarter[] = [
  row("pupil-record-primary", "Pupil educational record (primary)", "The pupil leaves the school", "Kept while the pupil is at the school, then transferred to the next school", "transfer", "corroborated"),
  row("pupil-record-secondary", "Pupil educational record (secondary, last school)", "The pupil’s date of birth", "25 years", "review", "corroborated"),
  row("cp-on-file", "Child protection information on the pupil file", "The pupil’s date of birth", "As the pupil file (in a sealed envelope)", "review", "unverified"),
  row("cp-separate", "Child protection files held separately", "The pupil’s date of birth", "25 years, then review; transferred under separate cover while under 18", "review", "corroborated"),
  row("iicsa", "Records relevant to IICSA (allegations of child sexual abuse)", "The record is made", "Do not destroy; keep under review (some trusts use date of birth + 50 years)", "review", "corroborated"),
  row("sen", "SEN files, reviews and individual education plans", "The pupil’s date of birth", "25 years", "review", "unverified"),
  row("ehcp", "EHC plans and amendments; advice to parents on SEN; accessibility strategy", "The pupil’s date of birth", "31 years", "review", "corroborated"),
  row("admission-register", "Admission register", "The date of each entry", "At least 6 years (School Attendance (Pupil Registration) (England) Regulations 2024, reg 7)", "destroy", "verified"),
  row("attendance-register", "Attendance register", "The date of each entry", "At least 6 years (same regulation 7)", "destroy", "verified"),
  row("absence-correspondence", "Correspondence about authorised absence", "The current academic year", "2 years", "destroy", "unverified"),
  row("admission-successful", "Admissions: successful application", "The date of admission", "1 year", "destroy", "unverified"),
  row("admission-appeal", "Admissions: unsuccessful appeal", "The appeal is resolved", "1 year", "destroy", "unverified"),
  row("proof-of-address", "Proof of address supplied for admissions", "The current year", "1 year", "destroy", "unverified"),
  row("exam-results", "Examination results, public and internal", "Added to the pupil file", "As the pupil file", "review", "unverified"),
  row("personnel-file", "Staff personnel file", "The end of employment", "6 years", "destroy", "corroborated"),
  row("allegations-staff", "Allegation of a child protection nature against a member of staff", "The allegation", "Until normal pension age or 10 years, whichever is longer, then review (malicious allegations removed)", "review", "unverified"),
  row("dbs-certificate", "DBS certificate", "The date it was seen", "No longer than 6 months (record the check on the single central record)", "destroy", "corroborated"),
  row("recruitment-unsuccessful", "Recruitment: unsuccessful candidates", "The successful candidate is appointed", "6 months", "destroy", "unverified"),
  row("accident-adult", "Accident reporting: adults", "The date of the incident", "6 years", "destroy", "unverified"),
  row("accident-child", "Accident reporting: children", "The child’s date of birth", "25 years", "destroy", "unverified"),
  row("accident-book", "Accident book and RIDDOR records", "The date of the entry", "3 years", "destroy", "corroborated"),
  row("accident-staff", "Accident or injury at work (staff)", "The date of the incident", "12 years", "destroy", "unverified"),
  row("coshh", "COSHH records", "The current year", "40 years", "destroy", "unverified"),
  row("payroll", "Payroll and tax", "The current tax year", "6 years", "destroy", "unverified"),
  row("governor-minutes", "Governing body minutes: signed principal set", "The meeting", "Permanently (offer to the archives)", "permanent", "unverified"),
  row("biometric", "Biometric data (such as catering fingerprints)", "The pupil leaves or consent is withdrawn", "Only while in use", "destroy", "unverified"),
  row("cctv", "CCTV footage", "The recording", "About 30 days unless needed for an incident", "destroy", "unverified"),
  {
    key: "steward-requests", title: "Request and complaint case files in Steward", trigger: "The case is closed", period: "6 years", action: "destroy", source: "own",
    reason: "Not an IRMS row: a common choice so that a complaint to the ICO or a claim can be answered. Set the school’s own period.",
    caseRecords: ["sar", "rights", "educational-record", "foi", "complaint", "advice"], keepMonths: "72", processingIds: [],
  },
  {
    key: "steward-breaches", title: "Personal data breach records in Steward", trigger: "The case is closed", period: "6 years", action: "destroy", source: "own",
    reason: "Not an IRMS row: Article 33(5) asks for breaches to be documented, with no period. Set the school’s own period.",
    caseRecords: ["breach"], keepMonths: "72", processingIds: [],
  },
];
