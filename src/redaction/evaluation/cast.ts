import { isValidNhsNumber, isValidUln } from "../detection/identifiers.ts";
import type { PersonalDataKind } from "../detection/suggestion.ts";
import type { Random } from "./random.ts";

/**
 * The people and details of one synthetic school case. Half the names come from pools the
 * detector's name lists do not hold, so the evaluation measures what it finds without a list, not
 * how well the lists match themselves.
 */
const LISTED_FIRST = ["Jamie", "Priya", "Oliver", "Amelia", "Mohammed", "Sophie", "Harry", "Chloe", "Daniel", "Aisha", "Jack", "Ruby", "Kai", "Zara", "Thomas", "Leah", "Samuel", "Maya", "Connor", "Fatima"];
const UNLISTED_FIRST = ["Tobiah", "Marisol", "Oluwaseun", "Kacper", "Ingrid", "Bartholomew", "Lowenna", "Tallulah", "Eshaan", "Ffion", "Cormac", "Saoirse", "Thandiwe", "Radek", "Anwen", "Keziah", "Lachlan", "Nkechi", "Persephone", "Dragos", "Yusra", "Ottilie", "Caspian", "Malachy", "Sunniva", "Idris", "Briony", "Ezekiel", "Wren", "Jolene"];
const LISTED_SURNAMES = ["Hill", "Patel", "Smith", "Khan", "Jones", "Okafor", "Taylor", "Begum", "Walker", "Murphy", "Wright", "Hussain", "Evans", "Kaur", "Nowak"];
const UNLISTED_SURNAMES = ["Ashdown", "Fairweather", "Adeyemi", "Kowalczyk", "Trelawney", "Mbeki", "Pemberton", "Quartermaine", "Ravensworth", "Oyelaran", "Lindqvist", "Castellano", "Blackwood", "Penhaligon", "Ozturk", "Featherstone", "Nakamura", "Abernethy", "Whitlock", "Szymanski", "Greenhalgh", "Achterberg", "Delacroix", "Mwangi", "Thistlewood"];
const STREETS = ["Elm", "Mill", "Station", "Church", "Victoria", "Brackenfield", "Larkspur", "Hawthorn", "Queen's", "Orchard", "Willow Bank", "Cedar", "Foxglove", "Kingfisher", "Ashby"];
const STREET_KINDS = ["Road", "Street", "Avenue", "Lane", "Close", "Drive", "Way", "Crescent", "Gardens", "Grove", "Terrace", "Court", "Mews", "Rise"];
const TOWNS = ["Leeds", "Bradford", "Wakefield", "Harrogate", "Barnsley", "Halifax", "Otley", "Pudsey", "Keighley", "York"];
const OUTWARD = ["LS1", "LS6", "LS12", "BD3", "BD18", "WF1", "HG2", "S70", "HX1", "YO10", "M14", "B23", "SW1A", "EC1V", "NE6", "CF10", "G41", "BT9", "L15", "N1"];
const INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ";
const STAFF_ROLES = ["class teacher", "teaching assistant", "SENCO", "Designated Safeguarding Lead", "Head of Year 8", "Deputy Headteacher", "attendance officer", "form tutor", "learning mentor", "Headteacher"];

export interface CastPerson {
  title: string;
  first: string;
  last: string;
  role: string;
}

export interface Cast {
  pupil: CastPerson;
  sibling: CastPerson;
  parent: CastPerson;
  otherParent: CastPerson;
  otherPupil: CastPerson;
  staff: CastPerson[];
  socialWorker: CastPerson;
  school: { name: string; phone: string; office: string; town: string; urn: string; laestab: string };
}

function person(random: Random, title: string, role: string, surname?: string): CastPerson {
  const first = random.chance(0.5) ? random.pick(LISTED_FIRST) : random.pick(UNLISTED_FIRST);
  const last = surname ?? (random.chance(0.5) ? random.pick(LISTED_SURNAMES) : random.pick(UNLISTED_SURNAMES));
  return { title, first, last, role };
}

export function makeCast(random: Random): Cast {
  const pupil = person(random, "", "pupil");
  const parent = person(random, random.pick(["Mrs", "Mr", "Ms", "Miss", "Mx"]), random.pick(["mother", "father", "carer", "mum", "dad"]), random.chance(0.7) ? pupil.last : undefined);
  const schoolTown = random.pick(TOWNS);
  return {
    pupil,
    sibling: person(random, "", random.pick(["sister", "brother"]), pupil.last),
    parent,
    otherParent: person(random, random.pick(["Mr", "Mrs", "Ms"]), "parent"),
    otherPupil: person(random, "", "pupil"),
    staff: [0, 1, 2].map(() => person(random, random.pick(["Mr", "Mrs", "Ms", "Miss", "Dr"]), random.pick(STAFF_ROLES))),
    socialWorker: person(random, random.pick(["Ms", "Mr", "Mrs"]), "social worker"),
    school: {
      name: `${random.pick(["Hillside", "St Mary's", "Oakwood", "Riverside", "Moorfield", "Greenbank"])} ${random.pick(["Primary School", "Academy", "High School", "C of E Primary School", "Community College"])}`,
      phone: random.pick(["01632 960000", "0113 496 0000", "020 7946 0000", "01632 960100"]),
      office: random.pick(["office", "admin", "enquiries"]),
      town: schoolTown,
      urn: `1${random.digits(5)}`,
      laestab: `${random.integer(300, 940)}/${random.integer(2000, 4999)}`,
    },
  };
}

export function nhsNumber(random: Random, spaced: boolean): string {
  for (;;) {
    const digits = `${random.pick(["4", "6", "7"])}${random.digits(9)}`;
    if (isValidNhsNumber(digits)) {
      return spaced ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}` : digits;
    }
  }
}

export function uln(random: Random): string {
  for (;;) {
    const digits = `${random.integer(1, 9)}${random.digits(9)}`;
    if (isValidUln(digits) && !isValidNhsNumber(digits)) {
      return digits;
    }
  }
}

const UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ";

export function upn(random: Random, temporary = false): string {
  const body = `${random.integer(201, 938)}${random.integer(2000, 4999)}${random.digits(2)}${temporary ? random.digits(2) + random.pick([...UPN_LETTERS]) : random.digits(3)}`;
  let sum = 0;
  for (let position = 2; position <= 13; position += 1) {
    const character = body[position - 2]!;
    sum += (/\d/.test(character) ? Number(character) : UPN_LETTERS.indexOf(character)) * position;
  }
  return UPN_LETTERS[sum % 23] + body;
}

export function niNumber(random: Random, spaced: boolean): string {
  const first = random.pick([..."ABCEGHJKLMNPRSTWXYZ"]);
  const second = random.pick([..."ABCEGHJKLMNPRSTWXYZ"]);
  const prefix = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].includes(first + second) ? "JP" : first + second;
  const digits = random.digits(6);
  const suffix = random.pick(["A", "B", "C", "D"]);
  return spaced ? `${prefix} ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4)} ${suffix}` : `${prefix}${digits}${suffix}`;
}

export function postcode(random: Random): string {
  return `${random.pick(OUTWARD)} ${random.integer(1, 9)}${random.pick([...INWARD_LETTERS])}${random.pick([...INWARD_LETTERS])}`;
}

export function personalPhone(random: Random): string {
  return random.pick([
    () => `07700 900${random.digits(3)}`,
    () => `07700900${random.digits(3)}`,
    () => `+44 7700 900${random.digits(3)}`,
    () => `01632 960${random.integer(200, 999)}`,
    () => `0113 496 0${random.digits(3)}`,
    () => `(0113) 496 0${random.digits(3)}`,
    () => `020 7946 0${random.digits(3)}`,
  ])();
}

export function street(random: Random): string {
  return `${random.integer(1, 214)} ${random.pick(STREETS)} ${random.pick(STREET_KINDS)}`;
}

export function town(random: Random): string {
  return random.pick(TOWNS);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function date(random: Random, year: number, style?: number): string {
  const day = random.integer(1, 28);
  const month = random.integer(1, 12);
  const pad = (value: number) => String(value).padStart(2, "0");
  switch (style ?? random.integer(0, 4)) {
    case 0:
      return `${pad(day)}/${pad(month)}/${year}`;
    case 1:
      return `${day} ${MONTHS[month - 1]} ${year}`;
    case 2:
      return `${year}-${pad(month)}-${pad(day)}`;
    case 3:
      return `${day}.${month}.${String(year).slice(2)}`;
    default:
      return `${day}${day === 1 || day === 21 ? "st" : day === 2 || day === 22 ? "nd" : day === 3 || day === 23 ? "rd" : "th"} ${MONTHS[month - 1]!.slice(0, 3)} ${year}`;
  }
}

export function vehicle(random: Random): string {
  const letters = "ABCDEFGHJKLMNOPRSTUVWXY";
  const pick = () => random.pick([...letters]);
  return `${random.pick([..."ABCDEFGHKLMNPRSVWY"])}${pick()}${random.pick(["12", "15", "18", "21", "68", "71", "19", "23"])} ${pick()}${pick()}${pick()}`;
}

export function emailOf(who: CastPerson, random: Random): string {
  const domain = random.pick(["gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk", "icloud.com"]);
  return random.pick([
    () => `${who.first.toLowerCase()}.${who.last.toLowerCase()}@${domain}`,
    () => `${who.first.toLowerCase()}${random.integer(1, 99)}@${domain}`,
    () => `${who.first[0]!.toLowerCase()}${who.last.toLowerCase().replace(/[^a-z]/g, "")}@${domain}`,
  ])();
}

export function staffEmail(who: CastPerson, school: Cast["school"]): string {
  return `${who.first[0]!.toLowerCase()}.${who.last.toLowerCase().replace(/[^a-z]/g, "")}@${school.name.split(" ")[0]!.toLowerCase().replace(/[^a-z]/g, "")}.sch.uk`;
}

export type GoldKind = PersonalDataKind;
