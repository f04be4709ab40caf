import type { PersonalDataKind } from "../detection/suggestion.ts";
import { date, emailOf, makeCast, nhsNumber, niNumber, personalPhone, postcode, staffEmail, street, town, uln, upn, vehicle, type Cast, type CastPerson } from "./cast.ts";
import { Random } from "./random.ts";

/**
 * Synthetic, realistic UK school documents with gold spans: what a DPO would remove before
 * disclosure. Letters home, staff emails with headers and signatures, email threads, safeguarding
 * chronologies, SEN reviews, behaviour reports, MIS exports as CSV, meeting minutes, medical notes
 * and teachers' quick notes, each written in several styles, with decoys a detector must leave
 * alone (invoice numbers, meeting dates, the school's own switchboard and office address, URNs).
 *
 * The gold is what a DPO would remove: people's names (not their titles), their addresses
 * (house number, street and the town on that line), postcodes, phone numbers, email addresses,
 * dates of birth and identifiers. Every name counts, the data subject's too: keeping the data
 * subject's own data is a review decision, not detection's.
 */
export interface GoldSpan {
  start: number;
  end: number;
  kind: PersonalDataKind;
}

export interface EvaluationDocument {
  id: string;
  style: string;
  text: string;
  gold: GoldSpan[];
  /** The people the request concerns, as a DPO would list them (half the documents list none). */
  knownPeople: string[];
}

class Writer {
  text = "";
  readonly gold: GoldSpan[] = [];

  add(...parts: string[]): this {
    this.text += parts.join("");
    return this;
  }

  pii(kind: PersonalDataKind, value: string): this {
    this.gold.push({ start: this.text.length, end: this.text.length + value.length, kind });
    this.text += value;
    return this;
  }

  /** A name in one of the forms people write; a title stays outside the span. */
  name(who: CastPerson, form: "full" | "first" | "titled" | "last-first" | "initial" = "full"): this {
    switch (form) {
      case "first":
        return this.pii("person", who.first);
      case "titled":
        return this.add(`${who.title || "Mr"} `).pii("person", who.last);
      case "last-first":
        return this.pii("person", `${who.last}, ${who.first}`);
      case "initial":
        return this.add(`${who.title || "Ms"} `).pii("person", `${who.first[0]}. ${who.last}`);
      default:
        return this.pii("person", `${who.first} ${who.last}`);
    }
  }

  address(random: Random, withTown: boolean): this {
    return this.pii("address", withTown ? `${street(random)}, ${town(random)}` : street(random));
  }
}

type Template = (w: Writer, cast: Cast, random: Random) => void;

function signature(w: Writer, who: CastPerson, cast: Cast, random: Random): void {
  w.add(random.pick(["Kind regards,", "Best wishes,", "Many thanks,", "Regards,", "Thanks,", "Yours sincerely,"]), "\n\n").name(who).add(`\n${capitalise(who.role)}\n${cast.school.name}\n`);
  if (random.chance(0.6)) {
    w.add(random.pick(["School office: ", "Switchboard: ", "Main office "]), cast.school.phone, "\n");
  }
  if (random.chance(0.5)) {
    w.add("Direct line: ").pii("phone", personalPhone(random)).add("\n");
  }
  w.add(`${cast.school.office}@${cast.school.name.split(" ")[0]!.toLowerCase().replace(/[^a-z]/g, "")}.sch.uk\n`);
}

function capitalise(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

const letterHome: Template = (w, cast, random) => {
  const { pupil, parent, staff } = cast;
  // The school's own address is not personal data; its postcode is a postcode all the same (every one is removed).
  w.add(`${cast.school.name}\n${random.integer(1, 40)} School Lane, ${cast.school.town} `).pii("postcode", `${random.pick(["LS", "BD", "WF"])}${random.integer(1, 20)} ${random.integer(1, 9)}QT`);
  w.add(`\nTelephone: ${cast.school.phone} (school office)\n\n`);
  w.add(date(random, 2026, 1), "\n\n");
  w.add(`${parent.title} `).name(parent).add("\n").address(random, false).add(`\n${town(random)}\n`).pii("postcode", postcode(random)).add("\n\n");
  w.add("Dear ").name(parent, "titled").add(",\n\n");
  w.add(random.pick([
    `I am writing about ${random.pick(["your child", "your son", "your daughter"])} `,
    "Following our telephone conversation, I am writing about ",
    "I would like to update you on ",
  ])).name(pupil).add(` (Year ${random.integer(3, 11)}, date of birth `).pii("date-of-birth", date(random, 2014)).add(").\n\n");
  w.add(random.pick([
    `Since the start of term, `,
    `Over the past few weeks, `,
    `As discussed at the meeting on ${date(random, 2026, 1)}, `,
  ])).name(pupil, "first").add(random.pick([
    ` has missed ${random.integer(5, 30)} sessions. Our attendance officer, `,
    ` has found lunchtimes difficult. Our learning mentor, `,
    ` has been late on ${random.integer(3, 9)} occasions. The form tutor, `,
  ])).name(staff[0]!, random.pick(["full", "titled"] as const)).add(`, will contact you to arrange a meeting in room ${random.integer(1, 40)}.\n\n`);
  w.add(`If you have any questions, please call the school office on ${cast.school.phone} or email ${cast.school.office}@school.sch.uk. Our reference is ATT/${random.integer(100, 999)}/26.\n\n`);
  w.add("Yours sincerely,\n\n").name(staff[1]!).add(`\n${capitalise(staff[1]!.role)}\n`);
};

const staffEmailTemplate: Template = (w, cast, random) => {
  const [from, to, cc] = cast.staff as [CastPerson, CastPerson, CastPerson];
  const { pupil, parent, otherPupil } = cast;
  w.add("From: ").name(from).add(" <").pii("email", staffEmail(from, cast.school)).add(">\n");
  w.add("Sent: ", random.pick(["Monday", "Tuesday", "Thursday"]), ` ${date(random, 2026, 1)} ${random.integer(8, 16)}:${random.integer(10, 59)}\n`);
  w.add("To: ").name(to).add(" <").pii("email", staffEmail(to, cast.school)).add(">\n");
  if (random.chance(0.5)) {
    w.add("Cc: ").pii("person", `${cc.last}, ${cc.first}`).add("\n");
  }
  w.add("Subject: ", random.pick(["RE: ", "", "FW: "])).name(pupil, random.pick(["first", "full"] as const)).add(random.pick([" - incident at break", " - parent call", " update"]), "\n\n");
  w.add(random.pick(["Hi ", "Morning ", "Dear "])).name(to, "first").add(",\n\n");
  w.add("Just to let you know that ").name(pupil, "first").add(random.pick([
    "'s mum rang this morning. ",
    " came to see me at lunch. ",
    " was upset after PE today. ",
  ]));
  w.add(random.pick(["She", "He", "They"]), " said that ").name(otherPupil).add(random.pick([
    " had been saying unkind things online",
    " pushed them in the corridor by the library",
    " took their phone during period 3",
  ]), ". ");
  w.name(parent, random.pick(["titled", "full"] as const)).add(" asked to be called back on ").pii("phone", personalPhone(random)).add(random.pick([
    " after 3pm.",
    " (mobile).",
    ", or by email at ",
  ]));
  if (w.text.endsWith("at ")) {
    w.pii("email", emailOf(parent, random)).add(".");
  }
  w.add(`\n\nI have logged it on CPOMS. Can we talk before the staff meeting on ${date(random, 2026, 1)}?\n\n`);
  signature(w, from, cast, random);
  w.add("\nThis email and any attachments are confidential. If you have received it in error, please call ", cast.school.phone, " (switchboard).\n");
};

const emailThread: Template = (w, cast, random) => {
  const { parent, pupil, staff, sibling } = cast;
  const parentEmail = emailOf(parent, random);
  w.add("On ", date(random, 2026, 1), " at 19:42, ").name(parent).add(" <").pii("email", parentEmail).add("> wrote:\n");
  w.add("> Hello ").name(staff[0]!, "titled").add(",\n");
  w.add("> I'm really worried about ").name(pupil, "first").add(". ").add(random.pick(["Her", "His"])).add(" brother/sister ").name(sibling, "first").add(" says ").name(pupil, "first").add(" has been crying before school.\n");
  w.add("> Our new address is ").address(random, true).add(" ").pii("postcode", postcode(random)).add(" and my number is ").pii("phone", personalPhone(random)).add(".\n");
  w.add("> Thanks, ").name(parent, "first").add("\n\n");
  w.add("Dear ").name(parent, "titled").add(",\n\nThank you for letting us know. I have passed this to ").name(staff[1]!).add(` (${staff[1]!.role}), who will ring you tomorrow. Invoice no. ${random.digits(10)} for the trip has been cancelled.\n\n`);
  signature(w, staff[0]!, cast, random);
};

const chronology: Template = (w, cast, random) => {
  const { pupil, parent, socialWorker, staff, otherParent } = cast;
  const separator = random.pick([" | ", "\t", " - "]);
  const initialsOf = (who: CastPerson) => `${who.first[0]}${who.last[0]}`;
  w.add(`SAFEGUARDING CHRONOLOGY - CONFIDENTIAL\nChild: `).name(pupil).add("   DOB: ").pii("date-of-birth", date(random, 2013, 0)).add("   UPN: ").pii("upn", upn(random, random.chance(0.2))).add("\n");
  w.add("Address: ").address(random, true).add(", ").pii("postcode", postcode(random)).add("\n\n");
  w.add(["Date", "Time", "Entry", "By"].join(separator), "\n");
  const rows: [string, () => void][] = [
    [date(random, 2025, 0), () => w.name(pupil, "first").add(" disclosed that ").name(parent, "titled").add("'s partner ").name(otherParent).add(" shouted at her. Referred to MASH.")],
    [date(random, 2025, 0), () => w.add("Call from ").name(socialWorker).add(" (social worker, tel ").pii("phone", personalPhone(random)).add("). Strategy meeting arranged.")],
    [date(random, 2026, 0), () => w.add("Home visit. ").name(parent, "first").add(" said the family car (reg ").pii("vehicle-registration", vehicle(random)).add(") had been sold.")],
    [date(random, 2026, 0), () => w.add("Attendance 82%. Letter sent. No response.")],
  ];
  for (const [day, entry] of rows) {
    w.add(day, separator, `${random.integer(8, 15)}:${random.integer(10, 59)}`, separator);
    entry();
    const author = random.pick(staff);
    w.add(separator).pii("person", initialsOf(author)).add("\n");
  }
  w.add("\nKey: ");
  for (const author of staff) {
    w.pii("person", initialsOf(author)).add(" = ").name(author).add(`, ${author.role}; `);
  }
  w.add("\n");
};

const senReview: Template = (w, cast, random) => {
  const { pupil, parent, staff, socialWorker } = cast;
  w.add(random.pick(["EHCP ANNUAL REVIEW", "SEN Support Plan Review", "Annual Review of Education, Health and Care Plan"]), "\n\n");
  w.add("Name of child/young person: ").name(pupil).add("\nDate of birth: ").pii("date-of-birth", date(random, 2012)).add("\nNHS number: ").pii("nhs-number", nhsNumber(random, random.chance(0.7))).add("\n");
  w.add("ULN: ").pii("uln", uln(random)).add("\nSchool: ", cast.school.name, ` (URN ${cast.school.urn}, DfE ${cast.school.laestab})\n`);
  w.add(`Review meeting held on ${date(random, 2026, 1)} at 10:00\n\nAttendees:\n`);
  w.add("- ").name(parent).add(` (${parent.role})\n`);
  w.add("- ").name(staff[0]!, "titled").add(", SENCO\n");
  w.add("- ").name(socialWorker, "initial").add(", Educational Psychologist\n\n");
  w.add("Views of the young person\n").name(pupil, "first").add(random.pick([
    " said that maths is hard and that break times are noisy. ",
    " told us they like art and would like more time with ",
  ]));
  if (w.text.endsWith("with ")) {
    w.name(cast.otherPupil, "first").add(". ");
  }
  w.add("\n\nViews of the parent/carer\n").name(parent, "titled").add(" feels that progress has been slow and asked for speech and language therapy. ");
  w.add(`${random.pick(["She", "He"])} can be reached on `).pii("phone", personalPhone(random)).add(".\n\n");
  w.add("Outcomes\n1. ").name(pupil, "first").add(` will read ${random.integer(10, 40)} words per minute by July.\n2. Support from the speech therapist ${random.pick(["twice", "three times"])} a week.\n`);
};

const behaviourReport: Template = (w, cast, random) => {
  const { pupil, otherPupil, staff, sibling } = cast;
  w.add(`Behaviour incident report #${random.integer(1000, 9999)}\n`);
  w.add("Pupil: ").name(pupil, random.pick(["full", "last-first"] as const)).add(`  Year group: ${random.integer(7, 11)}  Form: ${random.integer(7, 11)}${random.pick(["A", "B", "R", "W"])}\n`);
  w.add(`Date of incident: ${date(random, 2026)}   Location: ${random.pick(["canteen", "field", "corridor C", "bus bay"])}\n`);
  w.add("Other pupils involved: ").name(otherPupil).add(", ").name(sibling).add("\nStaff witness: ").name(staff[0]!, "titled").add("\n\n");
  w.add("Account: During lunch ").name(otherPupil, "first").add(" and ").name(pupil, "first").add(random.pick([
    " argued over a football. ",
    " were seen fighting near the bins. ",
    " refused to follow instructions. ",
  ]));
  w.name(staff[1]!, "titled").add(" separated them. ").name(pupil, "first").add(" said \"it wasn't me\".\n");
  w.add(`Sanction: ${random.pick(["after-school detention", "internal exclusion (1 day)", "removal from the lunch queue"])}. Parents informed by phone.\n`);
};

const misExport: Template = (w, cast, random) => {
  const separator = random.chance(0.7) ? "," : "\t";
  const headers = ["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year", "Reg", "Address 1", "Postcode", "Contact 1 Name", "Contact 1 Relationship", "Contact 1 Mobile", "Contact 1 Email"];
  w.add(headers.join(separator), "\n");
  const rows = random.integer(3, 6);
  for (let row = 0; row < rows; row += 1) {
    const child = row === 0 ? cast.pupil : makeCast(random).pupil;
    const carer = row === 0 ? cast.parent : makeCast(random).parent;
    w.pii("upn", upn(random)).add(separator).pii("person", child.last).add(separator).pii("person", child.first).add(separator);
    w.pii("date-of-birth", date(random, random.integer(2010, 2019), random.pick([0, 2]))).add(separator, random.pick(["M", "F"]), separator, String(random.integer(1, 11)), separator, `${random.integer(1, 11)}${random.pick(["A", "B", "C"])}`, separator);
    const address = street(random);
    if (separator === "," && random.chance(0.5)) {
      w.add('"').pii("address", `${address}, ${town(random)}`).add('"');
    } else {
      w.pii("address", address);
    }
    w.add(separator).pii("postcode", postcode(random)).add(separator).pii("person", `${carer.first} ${carer.last}`).add(separator, capitalise(carer.role), separator).pii("phone", `07700 900${random.digits(3)}`).add(separator).pii("email", emailOf(carer, random)).add("\n");
  }
};

const minutes: Template = (w, cast, random) => {
  const [chair, clerk, member] = cast.staff as [CastPerson, CastPerson, CastPerson];
  w.add(`Minutes of the ${random.pick(["Pastoral Team", "Inclusion Panel", "Local Governing Body"])} meeting, ${date(random, 2026, 1)}\n\n`);
  w.add("Present: ").name(chair).add(" (Chair), ").name(clerk).add(", ").name(member, "titled").add("\n");
  w.add("Apologies: ").name(cast.socialWorker).add("\n\n");
  w.add("1. Minutes of the last meeting (").add(date(random, 2026, 2)).add(") were agreed.\n");
  w.add("2. Case discussion: ").name(cast.pupil).add(` (Year ${random.integer(5, 10)}). The panel noted concerns raised by `).name(cast.parent, "titled").add(". ");
  w.add("Action: ").pii("person", `${chair.first[0]}${chair.last[0]}`).add(" to write to the family by Friday.\n");
  w.add(`3. Budget: invoice ${random.digits(8)} from the catering supplier approved. Next meeting ${date(random, 2026, 1)}.\n`);
};

const medicalNote: Template = (w, cast, random) => {
  const { pupil, parent } = cast;
  w.add("Individual Healthcare Plan\n\nChild's name: ").name(pupil).add("\nD.O.B. ").pii("date-of-birth", date(random, 2015, random.pick([0, 3]))).add("\nNHS No: ").pii("nhs-number", nhsNumber(random, random.chance(0.5))).add("\n");
  w.add("GP: Dr ").pii("person", cast.socialWorker.last).add(`, ${random.pick(["Park View", "Moor Lane", "Ashfield"])} Surgery, tel 0113 496 0999 (surgery)\n`);
  w.add("Medical condition: ", random.pick(["asthma", "type 1 diabetes", "epilepsy", "severe nut allergy"]), "\n");
  w.add("Parent/carer: ").name(parent).add(" - ").pii("phone", personalPhone(random)).add("\n");
  w.add("Parent NI number (for free school meals check): ").pii("ni-number", niNumber(random, random.chance(0.5))).add("\n");
  w.add("Bank details for trip refund: sort code ").pii("sort-code", `${random.digits(2)}-${random.digits(2)}-${random.digits(2)}`).add(", account number ").pii("bank-account", random.digits(8)).add("\n");
  w.add(`Plan agreed ${date(random, 2026, 1)}; review in 12 months.\n`);
};

const quickNote: Template = (w, cast, random) => {
  const { pupil, parent, otherPupil, sibling } = cast;
  w.add(random.pick(["Note to file: ", "Quick note - ", ""])).add("spoke to ").name(pupil, "first").add(random.pick(["'s mum ", "'s dad ", "'s carer "])).add("(").name(parent, "first").add(`) at pick-up on ${date(random, 2026, 3)}. `);
  w.add("she says ").name(sibling, "first").add(" and ").name(otherPupil).add(random.pick([
    " have fallen out over a group chat. ",
    " were both at the party on Saturday. ",
  ]));
  w.add("Mum's new mobile is ").pii("phone", personalPhone(random)).add(", email ").pii("email", emailOf(parent, random)).add(". ");
  w.add("They moved to ").address(random, false).add(" last month. Will update SIMS.\n");
};

const TEMPLATES: [string, Template][] = [
  ["letter home", letterHome],
  ["staff email", staffEmailTemplate],
  ["email thread", emailThread],
  ["safeguarding chronology", chronology],
  ["SEN review", senReview],
  ["behaviour report", behaviourReport],
  ["MIS export (CSV)", misExport],
  ["meeting minutes", minutes],
  ["healthcare plan", medicalNote],
  ["teacher's note", quickNote],
];

/** `count` documents, the same for the same seed; every template in turn, each with its own cast. */
export function evaluationDocuments(seed: number, count: number): EvaluationDocument[] {
  const random = new Random(seed);
  const documents: EvaluationDocument[] = [];
  for (let index = 0; index < count; index += 1) {
    const [style, template] = TEMPLATES[index % TEMPLATES.length]!;
    const cast = makeCast(random);
    const writer = new Writer();
    template(writer, cast, random);
    const knownPeople = index % 2 === 0 ? [cast.pupil, cast.parent, cast.sibling].map((who) => `${who.first} ${who.last}`) : [];
    documents.push({ id: `${seed}-${index}`, style, text: writer.text, gold: writer.gold, knownPeople });
  }
  return documents;
}
