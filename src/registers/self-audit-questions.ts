/*
 * The self-audit's questions: the ICO's accountability framework (its ten categories), asked as a
 * school's DPO would answer them. Each is answered red, amber or green, with evidence and, where it
 * is not green, an action with an owner and a date.
 */

export interface AuditQuestion {
  id: string;
  text: string;
  /** The register whose entries are the usual evidence. */
  evidenceFrom?: string;
}

export interface AuditArea {
  id: string;
  name: string;
  questions: readonly AuditQuestion[];
}

export const AUDIT_AREAS: readonly AuditArea[] = [
  {
    id: "leadership", name: "Leadership and oversight",
    questions: [
      { id: "dpo-appointed", text: "A data protection officer is appointed, named to staff and in the privacy notices, and reports to the head and governors.", evidenceFrom: "organisation" },
      { id: "governors-report", text: "The governors receive a data protection report at least once a year." },
      { id: "ico-fee", text: "The ICO data protection fee is paid and the registration is current.", evidenceFrom: "organisation" },
    ],
  },
  {
    id: "policies", name: "Policies and procedures",
    questions: [
      { id: "dp-policy", text: "A data protection policy is approved, published and in date.", evidenceFrom: "policy" },
      { id: "apd", text: "An appropriate policy document covers the special category and criminal offence data processed under Schedule 1.", evidenceFrom: "policy" },
      { id: "policy-reviews", text: "Every policy has an owner and a review date, and none is overdue.", evidenceFrom: "policy" },
    ],
  },
  {
    id: "training", name: "Training and awareness",
    questions: [
      { id: "induction", text: "Every new member of staff is trained in data protection at induction.", evidenceFrom: "training" },
      { id: "refresher", text: "Staff have a refresher every year, and those who are overdue are followed up.", evidenceFrom: "training" },
      { id: "sensitive-roles", text: "Everyone who can open sensitive records (DSL, SENCO, office, DPO) has role-specific training.", evidenceFrom: "training" },
    ],
  },
  {
    id: "rights", name: "Individuals’ rights",
    questions: [
      { id: "sar-process", text: "There is a process for subject access and other rights requests, and staff know to pass them on at once." },
      { id: "sar-on-time", text: "Requests are answered within the time limit (see the governors’ report)." },
      { id: "educational-record", text: "Parents’ requests for the educational record are recognised and answered (maintained schools: 15 school days)." },
    ],
  },
  {
    id: "transparency", name: "Transparency",
    questions: [
      { id: "notices", text: "Privacy notices for pupils, parents, staff, governors and visitors are published, in date and match what the school does.", evidenceFrom: "policy" },
      { id: "child-friendly", text: "Pupils get a version of the notice they can understand." },
      { id: "collection", text: "Forms that collect personal data point to the privacy notice." },
    ],
  },
  {
    id: "records", name: "Records of processing and lawful basis",
    questions: [
      { id: "ropa", text: "The record of processing covers every activity, with its lawful basis and conditions.", evidenceFrom: "processing" },
      { id: "ropa-current", text: "The record of processing is reviewed at least yearly and none of it is overdue.", evidenceFrom: "processing" },
      { id: "consent", text: "Where consent is relied on (photographs, biometrics), it is recorded and can be withdrawn." },
    ],
  },
  {
    id: "contracts", name: "Contracts and data sharing",
    questions: [
      { id: "suppliers", text: "Every supplier that processes personal data is in the supplier register with its role.", evidenceFrom: "supplier" },
      { id: "dpas", text: "Every processor has a written contract with the Article 28 terms.", evidenceFrom: "supplier" },
      { id: "sharing", text: "Regular data sharing (local authority, other agencies) is documented." },
    ],
  },
  {
    id: "risks", name: "Risks and DPIAs",
    questions: [
      { id: "dpia-screening", text: "New systems and changes are screened for a DPIA before they start.", evidenceFrom: "dpia" },
      { id: "dpias-done", text: "DPIAs for high-risk processing (CCTV, biometrics, safeguarding software, edtech) are signed and under review.", evidenceFrom: "dpia" },
      { id: "dpo-advice", text: "The DPO’s advice is sought on every DPIA, and recorded with whether it was followed.", evidenceFrom: "dpia" },
    ],
  },
  {
    id: "security", name: "Records management and security",
    questions: [
      { id: "retention", text: "A retention schedule is adopted, and records are destroyed when it says, with a disposal log.", evidenceFrom: "retention" },
      { id: "access", text: "Access to systems is by role, with two-factor sign-in where sensitive data is held, and leavers removed promptly." },
      { id: "devices", text: "Laptops and removable media are encrypted, and paper records locked away." },
    ],
  },
  {
    id: "breaches", name: "Breach response and monitoring",
    questions: [
      { id: "breach-process", text: "Staff know how to report a breach at once, and the DPO can decide within 72 hours whether to tell the ICO." },
      { id: "breach-log", text: "Every breach, reported or not, is logged with what was learned." },
      { id: "audit-regular", text: "This self-audit is repeated at least yearly and its actions are followed through." },
    ],
  },
];

export const RAG = [
  { id: "red", label: "Red: not in place" },
  { id: "amber", label: "Amber: partly in place" },
  { id: "green", label: "Green: in place" },
] as const;

export const ALL_QUESTIONS = AUDIT_AREAS.flatMap((area) => area.questions.map((question) => ({ ...question, areaId: area.id, areaName: area.name })));
