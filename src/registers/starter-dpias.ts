import type { Risk } from "./dpia-rules.ts";

/*
 * DPIA templates for the school scenarios the ICO's list and uk-rules.md §6.2 name: each a draft
 * with its screening, the need and the processing described as a typical school would, and the
 * usual risks with measures, to adapt. The consultation, necessity and sign-off are the school's.
 */

type Template = { key: string; title: string; examples: string[]; criteria: string[]; screeningNotes: string; processingIds: string[]; steps: Record<string, Record<string, string>>; risks: Risk[] };

const risk = (id: string, description: string, likelihood: string, severity: string, measure: string, effect: string, likelihoodAfter: string, severityAfter: string): Risk => ({
  id, description, likelihood, severity, measure, measureOwner: "", measureDueOn: "", effect, likelihoodAfter, severityAfter, approved: "",
});

export const STARTER_DPIAS: readonly Template[] = [
  {
    key: "cctv", title: "CCTV on the school site", examples: ["cctv"], criteria: [], screeningNotes: "", processingIds: [],
    steps: {
      need: { aims: "To keep pupils, staff and visitors safe and the site secure, and to investigate incidents.", typeOfProcessing: "Recording images of everyone on the site, in the areas the cameras cover.", whyNeeded: "Systematic monitoring of areas people move through, including children." },
      processing: {
        nature: "Cameras record continuously to a recorder in a locked room; named staff view footage after an incident; footage is shared with the police on request and logged.",
        scope: "Images of pupils, staff, parents and visitors; how many cameras, and where, to be added; kept about 30 days unless needed for an incident.",
        context: "Pupils and staff cannot opt out of being recorded where cameras are; signs at the entrances tell people.",
        purposes: "Safety and security; the effect on people is being recorded; the benefit is deterring and investigating incidents.",
      },
    },
    risks: [
      risk("r1", "Cameras cover places where people expect privacy (toilets, changing rooms), intruding on pupils.", "possible", "severe", "No cameras in toilets or changing rooms; the field of view of each camera checked and recorded.", "eliminated", "remote", "severe"),
      risk("r2", "Footage viewed or shared by someone without a reason.", "possible", "significant", "Viewing limited to named staff; every viewing and disclosure logged.", "reduced", "remote", "significant"),
      risk("r3", "Footage kept longer than needed.", "probable", "minimal", "The recorder overwrites after 30 days; footage kept for an incident is logged and deleted when it ends.", "reduced", "remote", "minimal"),
    ],
  },
  {
    key: "biometrics", title: "Biometric catering", examples: ["biometrics"], criteria: [], screeningNotes: "", processingIds: [],
    steps: {
      need: { aims: "To let pupils pay for meals quickly without cash or cards.", typeOfProcessing: "Using a template made from each pupil’s fingerprint to identify them at the till.", whyNeeded: "Biometric data of children used to identify them, with a new technology." },
      processing: {
        nature: "The catering supplier’s system turns a fingerprint into a template and matches it at the till; the template is deleted when the pupil leaves or consent is withdrawn.",
        scope: "Biometric templates of the pupils whose parents consent; each pupil whose parent consents.",
        context: "Children; the Protection of Freedoms Act 2012 requires a parent’s written consent, and an alternative for any pupil who objects.",
        purposes: "Faster, cashless meals; the effect is the processing of biometric data; the alternative is a card or PIN.",
      },
    },
    risks: [
      risk("r1", "A pupil’s biometric data used without a parent’s consent, or when the pupil objects.", "possible", "significant", "Written consent from a parent before enrolment; any objection of the pupil respected; a card or PIN offered to all.", "reduced", "remote", "significant"),
      risk("r2", "Biometric templates breached at the supplier.", "remote", "severe", "A processor contract with security terms; templates, not images, held; deletion on leaving checked each term.", "reduced", "remote", "significant"),
    ],
  },
  {
    key: "edtech", title: "A new online learning app", examples: ["edtech"], criteria: [], screeningNotes: "", processingIds: [],
    steps: {
      need: { aims: "To set and mark work online.", typeOfProcessing: "Pupils’ accounts, work and scores held by the app’s supplier.", whyNeeded: "An online service used directly by children, with a new supplier." },
      processing: {
        nature: "Staff create pupils’ accounts from the MIS; pupils sign in and do work; the supplier hosts the data.",
        scope: "Names, classes, sign-in details, work and scores; the pupils who use it; kept while they use it.",
        context: "Children, who cannot choose another app; the supplier’s privacy notice read with Steward (see the supplier register).",
        purposes: "Teaching and homework; the benefit is quicker feedback.",
      },
    },
    risks: [
      risk("r1", "The supplier uses pupils’ data for its own purposes (advertising, profiling, training AI).", "possible", "significant", "A processor contract forbidding it; settings that turn off tracking; the notice’s claims checked.", "reduced", "remote", "significant"),
      risk("r2", "Data sent outside the UK without a safeguard.", "possible", "significant", "Confirm where data is hosted; the IDTA or the UK addendum in the contract.", "reduced", "remote", "significant"),
      risk("r3", "Accounts left open after pupils leave.", "probable", "minimal", "Accounts removed from the MIS feed when pupils leave.", "reduced", "remote", "minimal"),
    ],
  },
  {
    key: "safeguarding", title: "Safeguarding monitoring and filtering", examples: ["safeguarding"], criteria: [], screeningNotes: "", processingIds: [],
    steps: {
      need: { aims: "To keep pupils safe online as Keeping Children Safe in Education requires.", typeOfProcessing: "Monitoring what pupils type and visit on school devices and networks, and alerting the DSL.", whyNeeded: "Systematic monitoring of children’s behaviour; alerts may concern harm." },
      processing: {
        nature: "Software captures searches, sites and typed words that match risk categories; alerts go to the DSL, who decides what to do.",
        scope: "Pupils’ and staff’s activity on school devices and the network; alerts kept as safeguarding records.",
        context: "Children and staff, who are told about monitoring in the acceptable use policy; alerts may reveal special category data.",
        purposes: "Safeguarding; the effect is the monitoring of every user; the benefit is finding children at risk.",
      },
    },
    risks: [
      risk("r1", "Alerts wrongly identify a pupil as at risk, and action is taken on a false alert.", "possible", "significant", "Every alert reviewed by the DSL before any action; false alerts recorded and deleted.", "reduced", "remote", "significant"),
      risk("r2", "Monitoring data seen by staff with no safeguarding role.", "possible", "severe", "Access to alerts for the DSL and deputies only.", "reduced", "remote", "severe"),
    ],
  },
  {
    key: "mis", title: "Moving to a new MIS", examples: ["mis"], criteria: [], screeningNotes: "", processingIds: [],
    steps: {
      need: { aims: "To move the school’s records to a new management information system.", typeOfProcessing: "Migrating every pupil, parent and staff record, including SEN and health data, to a new cloud supplier.", whyNeeded: "Large-scale special category data, moved and matched between systems." },
      processing: {
        nature: "Data exported from the old MIS, imported into the new one, checked, and deleted from the old supplier.",
        scope: "Every record of pupils, parents and staff, including SEN, medical, ethnicity and safeguarding flags.",
        context: "The whole school community; nobody can opt out; the migration is a one-off with a deadline.",
        purposes: "A better system; the risk is during the move and in the new supplier’s hands.",
      },
    },
    risks: [
      risk("r1", "Data lost or corrupted in the move.", "possible", "significant", "A full check of counts and samples after import; the old system kept read-only until signed off.", "reduced", "remote", "significant"),
      risk("r2", "The old supplier keeps a copy after the contract ends.", "possible", "significant", "Written confirmation of deletion from the old supplier.", "reduced", "remote", "minimal"),
      risk("r3", "Access in the new MIS wider than before (every staff member sees SEN or medical data).", "probable", "significant", "Roles set up before go-live and checked by the DPO.", "reduced", "remote", "significant"),
    ],
  },
];
