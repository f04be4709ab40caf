import { parsePhoneNumberFromString } from "libphonenumber-js";
import { contextWord, lineStartBefore, type TextContext } from "./context.ts";
import type { PersonalDataKind, Suggestion } from "./suggestion.ts";

/**
 * UK identifiers, each found by its shape and then checked by its validator (the rules are in
 * ../shared/reference/uk-rules.md §12). A number that merely passes a checksum is only plausible
 * (about 1 in 11 random ten-digit numbers passes the NHS check), so the words around it decide how
 * sure the suggestion is, and words that say it is something else (an invoice number, the school's
 * switchboard) leave it alone.
 */

// --- validators ---------------------------------------------------------------------------------

/** NHS number: ten digits, the tenth the modulus 11 check of the first nine (weights 10…2). */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) {
    return false;
  }
  let sum = 0;
  for (let index = 0; index < 9; index += 1) {
    sum += Number(digits[index]) * (10 - index);
  }
  const check = 11 - (sum % 11);
  if (check === 10) {
    return false;
  }
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** ULN: ten digits, the first not 0, whose digits weighted 10…1 sum to 10 modulo 11. */
export function isValidUln(digits: string): boolean {
  if (!/^[1-9]\d{9}$/.test(digits)) {
    return false;
  }
  let sum = 0;
  for (let index = 0; index < 10; index += 1) {
    sum += Number(digits[index]) * (10 - index);
  }
  return sum % 11 === 10;
}

const UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ";

/** UPN: a check letter, then 12 digits (or 11 and a letter, for a temporary UPN); the letter is table[Σ p × char(p), p = 2…13, mod 23]. */
export function isValidUpn(upn: string): boolean {
  const value = upn.toUpperCase();
  if (!/^[A-Z]\d{11}[\dA-Z]$/.test(value)) {
    return false;
  }
  let sum = 0;
  for (let position = 2; position <= 13; position += 1) {
    const character = value[position - 1]!;
    const number = /\d/.test(character) ? Number(character) : UPN_LETTERS.indexOf(character);
    if (number < 0) {
      return false;
    }
    sum += number * position;
  }
  return UPN_LETTERS[sum % 23] === value[0];
}

const NINO_NEVER_ALLOCATED = new Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]);

/** National Insurance number prefix: neither letter D, F, I, Q, U or V, the second not O, and not one of the never-allocated pairs. */
export function isValidNinoPrefix(prefix: string): boolean {
  const value = prefix.toUpperCase();
  return /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]$/.test(value) && !NINO_NEVER_ALLOCATED.has(value);
}

const STRICT_POSTCODE = /^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKSTUW]|[A-HK-Y][0-9][ABEHMNPRV-Y]) ?[0-9][ABD-HJLNP-UW-Z]{2})$/;

/** A postcode by BS 7666's letter rules (upper case, the space optional). */
export function isValidPostcode(postcode: string): boolean {
  return STRICT_POSTCODE.test(postcode.toUpperCase());
}

/** GB IBAN: GB, two check digits, a four-letter bank code, 14 digits; mod 97 of the rearranged number is 1. */
export function isValidGbIban(iban: string): boolean {
  const value = iban.replace(/\s+/g, "").toUpperCase();
  if (!/^GB\d{2}[A-Z]{4}\d{14}$/.test(value)) {
    return false;
  }
  const rearranged = (value.slice(4) + value.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of rearranged) {
    remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

// --- recognizers --------------------------------------------------------------------------------

export interface Recognizer {
  /** Its name in suggestions and in an organisation's settings. */
  readonly name: string;
  /** `found`: what the recognizers before it found, for one that only looks where they did not. */
  find(context: TextContext, found?: readonly Suggestion[]): Suggestion[];
}

function suggestion(kind: PersonalDataKind, recognizer: string, start: number, end: number, score: number, why: string): Suggestion {
  return { start, end, type: kind, score, recognizer, why };
}

/** Words that say a number is not a person's: invoices, orders, the school's own lines. */
const NOT_PERSONAL = /\b(invoice|inv\.?|order|purchase|receipt|transaction|tracking|serial|po number|ticket|batch)\b/i;

const NHS_CONTEXT = /\b(nhs|health|hospital|gp|medical|chi)\b/i;
const ULN_CONTEXT = /\b(uln|unique learner|learner (number|no))\b/i;

const nhsNumber: Recognizer = {
  name: "nhs-number",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w.+-])(\d{3})([ -]?)(\d{3})\2(\d{4})(?![\w-]|\.\d)/g)) {
      const digits = match[1]! + match[3]! + match[4]!;
      const start = match.index;
      const end = start + match[0].length;
      const valid = isValidNhsNumber(digits);
      const nhsWord = contextWord(context, start, end, NHS_CONTEXT);
      if (contextWord(context, start, end, ULN_CONTEXT) && !nhsWord) {
        continue;
      }
      if (!nhsWord && contextWord(context, start, end, NOT_PERSONAL)) {
        continue;
      }
      if (valid && nhsWord) {
        found.push(suggestion("nhs-number", "nhs-number", start, end, 0.99, `ten digits that pass the NHS mod 11 check, near the word "${nhsWord}"`));
      } else if (valid && match[2]) {
        found.push(suggestion("nhs-number", "nhs-number", start, end, 0.85, "ten digits in the NHS 3-3-4 layout that pass the mod 11 check"));
      } else if (valid) {
        found.push(suggestion("nhs-number", "nhs-number", start, end, 0.6, "ten digits that pass the NHS mod 11 check (the check alone is not proof: about 1 in 11 numbers pass)"));
      } else if (nhsWord) {
        found.push(suggestion("nhs-number", "nhs-number", start, end, 0.6, `ten digits near the word "${nhsWord}" that fail the mod 11 check (perhaps mistyped)`));
      }
    }
    return found;
  },
};

const uln: Recognizer = {
  name: "uln",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w.+-])[1-9]\d{9}(?![\w-]|\.\d)/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, ULN_CONTEXT);
      if (isValidUln(match[0]) && word) {
        found.push(suggestion("uln", "uln", start, end, 0.99, `ten digits that pass the ULN check digit, near the words "${word}"`));
      } else if (word) {
        found.push(suggestion("uln", "uln", start, end, 0.6, `ten digits near the words "${word}" that fail the ULN check (perhaps mistyped)`));
      } else if (isValidUln(match[0]) && !contextWord(context, start, end, NOT_PERSONAL)) {
        found.push(suggestion("uln", "uln", start, end, 0.5, "ten digits that pass the ULN check digit (the check alone is not proof)"));
      }
    }
    return found;
  },
};

const NINO_CONTEXT = /\b(national insurance|n\.?i\.?(\s*(no|number|num))?|nino|ni no)\b/i;

const niNumber: Recognizer = {
  name: "ni-number",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w])([A-Za-z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-Da-d])?(?![\w])/g)) {
      const [whole, prefix, , , , suffix] = match;
      // All upper case or all lower: "ab123456c" is written; "Ab123456" is a reference.
      if (whole !== whole.toUpperCase() && whole !== whole.toLowerCase()) {
        continue;
      }
      const start = match.index;
      const end = start + whole.trimEnd().length;
      const word = contextWord(context, start, end, NINO_CONTEXT);
      const validPrefix = isValidNinoPrefix(prefix!);
      if (validPrefix && suffix) {
        found.push(suggestion("ni-number", "ni-number", start, end, word ? 0.99 : 0.9, `two letters allowed by HMRC's prefix rules, six digits and a letter A–D${word ? `, near "${word}"` : ""}`));
      } else if (validPrefix && word) {
        found.push(suggestion("ni-number", "ni-number", start, end, 0.9, `HMRC prefix rules and six digits, near "${word}"`));
      } else if (word && suffix) {
        found.push(suggestion("ni-number", "ni-number", start, end, 0.7, `the shape of a National Insurance number near "${word}", with a prefix HMRC does not allocate (an administrative or temporary number)`));
      }
    }
    return found;
  },
};

const UPN_CONTEXT = /\b(upn|unique pupil|pupil (number|no))\b/i;

const upn: Recognizer = {
  name: "upn",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w])[A-Za-z]\d{11}[\dA-Za-z](?![\w])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, UPN_CONTEXT);
      const temporary = /[A-Za-z]$/.test(match[0]);
      if (isValidUpn(match[0])) {
        found.push(suggestion("upn", "upn", start, end, word ? 0.99 : 0.95, `${temporary ? "a temporary UPN" : "13 characters"} with a valid UPN check letter${word ? `, near "${word}"` : ""}`));
      } else if (word) {
        found.push(suggestion("upn", "upn", start, end, 0.65, `the shape of a UPN near "${word}", with a check letter that does not match (perhaps mistyped)`));
      }
    }
    return found;
  },
};

const postcode: Recognizer = {
  name: "postcode",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w])(GIR ?0AA|[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2})(?![\w])/g)) {
      const value = match[0];
      const start = match.index;
      if (value !== value.toUpperCase() && value !== value.toLowerCase()) {
        continue;
      }
      if (isValidPostcode(value)) {
        found.push(suggestion("postcode", "postcode", start, start + value.length, 0.95, "a UK postcode by BS 7666's letter rules"));
      } else {
        found.push(suggestion("postcode", "postcode", start, start + value.length, 0.6, "the shape of a UK postcode, though its letters break BS 7666's rules"));
      }
    }
    return found;
  },
};

/** Words that say a number is an organisation's, not a person's. */
const ORGANISATION_LINE = /\b(main line|team|service|department|queries|fax|option \d|surgery|clinic|practice|hospital|switchboard|school office|main office|reception|enquiries|main school|helpline|general office|school number|front office|office number)\b/i;

const LETTERHEAD_NAME = /\b(School|Academy|College|Trust|Council|Surgery|Practice|Hospital|Centre|Service|Services|Ltd|Limited|Federation)\b/;

/** A number on a "Tel:" line within the two lines under an organisation's name is the organisation's (a letterhead). */
function inLetterhead(text: string, offset: number): boolean {
  const lineStart = lineStartBefore(text, offset);
  if (!/^\s*(tel|telephone|phone|t)\b[.:]?/i.test(text.slice(lineStart, offset))) {
    return false;
  }
  let previous = lineStart;
  for (let line = 0; line < 2 && previous > 0; line += 1) {
    const start = lineStartBefore(text, previous - 1);
    if (LETTERHEAD_NAME.test(text.slice(start, previous - 1))) {
      return true;
    }
    previous = start;
  }
  return false;
}

const phone: Recognizer = {
  name: "phone",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w+])(?:\+44 ?(?:\(0\) ?)?|\(?0)\d(?:(?:[ -]|\) ?)?\d){8,10}(?![\w])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      let digits = match[0].replace(/\D/g, "");
      if (digits.startsWith("440")) {
        digits = digits.slice(3);
      } else if (digits.startsWith("44")) {
        digits = digits.slice(2);
      } else {
        digits = digits.slice(1);
      }
      // Non-geographic 03, 08 and 09 numbers are organisations' lines, never a person's own.
      if (!/^[1257]/.test(digits)) {
        continue;
      }
      const number = parsePhoneNumberFromString(`0${digits}`, "GB");
      if (!number?.isPossible()) {
        continue;
      }
      // Only this line's words: the school's switchboard on the line above says nothing of a direct line.
      const organisation = contextWord(context, start, end, ORGANISATION_LINE, { before: 48, after: 16, sameLine: true });
      if (organisation || contextWord(context, start, end, NOT_PERSONAL) || inLetterhead(context.text, start)) {
        continue;
      }
      const mobile = digits.startsWith("7");
      found.push(suggestion("phone", "phone", start, end, mobile ? 0.95 : 0.85, `a UK ${mobile ? "mobile" : "landline"} number with the right number of digits (libphonenumber-js)`));
    }
    return found;
  },
};

/** Role addresses belong to the school, not a person. */
const ROLE_MAILBOX = /^(pastoral|inclusion|send|welfare|transport|bursar|payroll|exams|careers|library|sport|wellbeing|office|admin|administration|enquiries|enquiry|info|reception|headteacher|head|dpo|finance|sen|senco|safeguarding|no-?reply|contact|hello|attendance|schooloffice|school\.office|admissions|accounts|hr|governors|clerk|it|support|help)$/i;

const email: Recognizer = {
  name: "email",
  find(context) {
    const found: Suggestion[] = [];
    // A space either side of the @ is allowed: OCR inserts one ("jane.smith @example.org").
    for (const match of context.text.matchAll(/(?<![\w.%+'-])([A-Za-z0-9][A-Za-z0-9._%+'-]*) ?@ ?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![\w-])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      if (ROLE_MAILBOX.test(match[1]!)) {
        continue;
      }
      found.push(suggestion("email", "email", start, end, 0.99, "an email address"));
    }
    return found;
  },
};

const MONTHS = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DATE = new RegExp(
  [
    String.raw`\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})`,
    String.raw`\d{4}-\d{2}-\d{2}`,
    String.raw`\d{1,2}(?:st|nd|rd|th)?(?: of)? ${MONTHS}\.?,? \d{4}`,
    String.raw`${MONTHS}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}`,
  ].join("|"),
  "gi",
);
const BIRTH_CONTEXT = /\b(d\.?o\.?b\.?|date of birth|birth ?date|born|birthday|b\.)(?![a-z])/i;

const dateOfBirth: Recognizer = {
  name: "date-of-birth",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(new RegExp(String.raw`(?<![\w/.\-])(?:${DATE.source})(?![\w/]|[.\-]\d)`, "gi"))) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, BIRTH_CONTEXT, { before: 36, after: 0 });
      if (word) {
        found.push(suggestion("date-of-birth", "date-of-birth", start, end, 0.95, `a date after the words "${word}"`));
      }
    }
    return found;
  },
};

const SORT_CONTEXT = /\b(sort ?code|sort|s\/c)\b/i;
const ACCOUNT_CONTEXT = /\b(account|acc(?:t)?\.?|a\/c)(\s*(no|number|num))?\b/i;

const bankDetails: Recognizer = {
  name: "bank-details",
  find(context) {
    const found: Suggestion[] = [];
    for (const match of context.text.matchAll(/(?<![\w\-/])\d{2}([- ])\d{2}\1\d{2}(?![\w\-/])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, SORT_CONTEXT);
      if (word) {
        found.push(suggestion("sort-code", "bank-details", start, end, 0.95, `six digits in pairs after "${word}"`));
      }
    }
    for (const match of context.text.matchAll(/(?<![\w\-/])\d{8}(?![\w\-/])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, ACCOUNT_CONTEXT);
      if (word && !contextWord(context, start, end, NOT_PERSONAL)) {
        found.push(suggestion("bank-account", "bank-details", start, end, 0.9, `eight digits near "${word}"`));
      }
    }
    for (const match of context.text.matchAll(/(?<![\w])GB\d{2} ?[A-Z]{4}(?: ?\d{4}){3} ?\d{2}(?![\w])/g)) {
      if (isValidGbIban(match[0])) {
        found.push(suggestion("bank-account", "bank-details", match.index, match.index + match[0].length, 0.99, "a UK IBAN that passes the mod 97 check"));
      }
    }
    return found;
  },
};

const VEHICLE_CONTEXT = /\b(reg(istration)?|vehicle|car|van|number plate|plate|vrm|parked|parking|drives|driving)\b/i;

const vehicleRegistration: Recognizer = {
  name: "vehicle-registration",
  find(context) {
    const found: Suggestion[] = [];
    // Current style (since 2001): two letters, two digits, three letters, as in "AB12 CDE".
    for (const match of context.text.matchAll(/(?<![\w])[A-HJ-PR-Y][A-HJ-PR-Y]\d{2} ?[A-HJ-PR-Z]{3}(?![\w])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, VEHICLE_CONTEXT);
      found.push(suggestion("vehicle-registration", "vehicle-registration", start, end, word ? 0.95 : 0.7, `a current-style number plate${word ? ` near "${word}"` : ""}`));
    }
    // Older prefix ("A123 BCD") and suffix ("ABC 123D") styles only where the words say it is a vehicle.
    for (const match of context.text.matchAll(/(?<![\w])(?:[A-Z]\d{1,3} ?[A-Z]{3}|[A-Z]{3} ?\d{1,3}[A-Z])(?![\w])/g)) {
      const start = match.index;
      const end = start + match[0].length;
      const word = contextWord(context, start, end, VEHICLE_CONTEXT);
      if (word) {
        found.push(suggestion("vehicle-registration", "vehicle-registration", start, end, 0.85, `an older-style number plate near "${word}"`));
      }
    }
    return found;
  },
};

export const IDENTIFIER_RECOGNIZERS: readonly Recognizer[] = [nhsNumber, uln, niNumber, upn, postcode, phone, email, dateOfBirth, bankDetails, vehicleRegistration];
