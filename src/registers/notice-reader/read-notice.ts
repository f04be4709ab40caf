/**
 * Reads a supplier's privacy notice for a school DPO's due diligence: the facts it states (each
 * with the sentence it came from, for the DPO to confirm) and what it leaves out or invites a
 * question about, against UK GDPR Articles 13 and 14. Everything runs here, in code: sentences
 * (prose, list items, table cells), cue phrases, patterns for company and ICO numbers, postcodes
 * and durations, and the names of common hosting, analytics and software services.
 *
 * Every regular expression is linear or bounded (no nested unbounded repetition), the text is cut
 * at MAX_TEXT characters and a very long sentence is read in pieces, so hostile input stays fast.
 */

export const NOTICE_FACT_KINDS = [
  "controller",
  "company-number",
  "registered-address",
  "privacy-contact",
  "ico-registration",
  "role",
  "lawful-basis",
  "data-category",
  "retention",
  "transfer",
  "hosting",
  "sub-processor",
  "security",
  "cookies",
  "analytics",
  "rights",
  "complaint",
] as const;
export type NoticeFactKind = (typeof NOTICE_FACT_KINDS)[number];

export interface NoticeFact {
  kind: NoticeFactKind;
  value: string;
  detail?: string;
  special?: boolean;
  children?: boolean;
  /** The sentence the fact came from, with markdown markup removed. */
  sentence: string;
  /** Offsets of the sentence in the text that was read. */
  start: number;
  end: number;
}

export interface NoticeFlag {
  kind: "missing" | "question";
  code: string;
  /** Plain English for a school DPO. */
  message: string;
  sentence?: string;
}

export interface NoticeReading {
  facts: NoticeFact[];
  flags: NoticeFlag[];
}

/** Longer notices are read up to here (a 30-page notice is about 100 000 characters). */
export const MAX_TEXT = 500_000;
/** A notice of 30 pages has about 1 500 sentences; beyond this many the rest is not read (lines of one letter are not a notice). */
export const MAX_SENTENCES = 10_000;
/** A sentence longer than this is read in pieces of about this size. */
const MAX_SENTENCE = 2_000;

// ---------------------------------------------------------------------------------------------
// Sentences

interface Sentence {
  /** Markup removed, spaces collapsed: what the patterns read and what the DPO is shown. */
  text: string;
  start: number;
  end: number;
  /** A short line without a full stop: a heading or a list label. */
  heading: boolean;
  /** A bulleted list item ("- ", "• "). */
  bullet: boolean;
  /** The line it sits on, counting from 0. */
  line: number;
  /** Table cells: the row's cells, and whether the table's first row mentions retention. */
  cells?: string[];
  /** The first row of the table the cell is in. */
  header?: string[];
  retentionTable?: boolean;
}

/** "Ltd." ends a sentence only before a capital letter: "BrightPath Learning, Inc. ("BrightPath")" runs on. */
const COMPANY_ABBREVIATIONS = new Set(["ltd", "inc", "plc", "llc", "llp"]);
const ABBREVIATIONS = new Set(["e.g", "i.e", "eg", "ie", "etc", "no", "st", "mr", "mrs", "ms", "dr", "co", "approx", "incl", "vs", "art", "para", "ref", "reg", "nos", "u.k", "u.s", "cf", "fig", "sec"]);

/** Removes markdown markup, keeps the words. */
export function cleanMarkup(raw: string): string {
  return raw
    .replace(/\[([^\]\n]{0,300})\]\((?:mailto:)?[^)\s]{0,500}\)/g, "$1")
    .replace(/<((?:https?:\/\/|mailto:)[^>\s]{1,500})>/g, "$1")
    .replace(/^\s{0,12}#{1,6}\s*/, "")
    .replace(/\*\*|__|\*(?=\S)|(?<=\S)\*|(?<!\w)_(?=\S)|(?<=\S)_(?!\w)/g, "")
    .replace(/^\s{0,12}(?:[-*•‣◦▪·●]|\d{1,3}[.)]|[ivx]{1,5}[.)]|[a-z][.)])\s+/i, "")
    .replace(/\s+/g, " ")
    .trim();
}

function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let lineStart = 0;
  let lineNumber = 0;
  let table: { retention: boolean; header: string[] } | undefined;
  while (lineStart <= text.length && sentences.length < MAX_SENTENCES) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd);
    if (line.trim() !== "") {
      const isRow = /^\s*\|/.test(line) || (line.match(/\|/g)?.length ?? 0) >= 2;
      if (isRow) {
        if (!/^[\s|:-]*$/.test(line)) {
          const cells = cellsOf(line, lineStart);
          const texts = cells.slice(0, 40).map((cell) => cleanMarkup(cell.raw));
          if (!table) {
            table = { retention: /retention|retain|how long|period|kept|keep|delet/i.test(line), header: texts };
          }
          for (const cell of cells) {
            pushPiece(sentences, text, cell.start, cell.end, lineNumber, { cells: texts, header: table.header, retentionTable: table.retention });
          }
        }
      } else {
        table = undefined;
        splitLine(sentences, text, lineStart, lineEnd, lineNumber);
      }
    } else {
      table = undefined;
    }
    lineStart = lineEnd + 1;
    lineNumber += 1;
  }
  return sentences;
}

function cellsOf(line: string, offset: number): { raw: string; start: number; end: number }[] {
  const cells: { raw: string; start: number; end: number }[] = [];
  let at = 0;
  for (;;) {
    const bar = line.indexOf("|", at);
    const end = bar === -1 ? line.length : bar;
    if (line.slice(at, end).trim() !== "") cells.push({ raw: line.slice(at, end), start: offset + at, end: offset + end });
    if (bar === -1) return cells;
    at = bar + 1;
  }
}

/** Splits one line at sentence ends: a full stop, question or exclamation mark, then a space and a capital (not after an abbreviation). */
function splitLine(sentences: Sentence[], text: string, start: number, end: number, line: number): void {
  const boundary = /[.!?]["”’)]?\s+(?=[A-Z0-9"“‘(*_#[•])/g;
  const body = text.slice(start, end);
  let pieceStart = 0;
  for (let match = boundary.exec(body); match; match = boundary.exec(body)) {
    const before = /([\w.]{1,12})$/.exec(body.slice(Math.max(0, match.index - 12), match.index))?.[1]?.toLowerCase() ?? "";
    if (ABBREVIATIONS.has(before) || /^[a-z]$/.test(before)) continue;
    if (COMPANY_ABBREVIATIONS.has(before.replace(/\.$/, "")) && !/^[A-Z]/.test(body.slice(match.index + match[0].length))) continue;
    const stop = match.index + match[0].trimEnd().length;
    pushPiece(sentences, text, start + pieceStart, start + stop, line);
    pieceStart = match.index + match[0].length;
  }
  pushPiece(sentences, text, start + pieceStart, end, line);
}

function pushPiece(sentences: Sentence[], text: string, start: number, end: number, line: number, extra: Partial<Sentence> = {}): void {
  for (let at = start; at < end; at += MAX_SENTENCE) {
    let stop = Math.min(end, at + MAX_SENTENCE);
    if (stop < end) {
      const space = text.lastIndexOf(" ", stop);
      if (space > at + MAX_SENTENCE / 2) stop = space;
    }
    const raw = text.slice(at, stop);
    const clean = cleanMarkup(raw);
    if (clean !== "") {
      const lead = raw.length - raw.trimStart().length;
      const trail = raw.length - raw.trimEnd().length;
      const heading = clean.length <= 90 && !/[.;!]$/.test(clean) && !extra.cells;
      const bullet = at === start && /^\s*[-*•‣◦▪·●]\s/.test(raw);
      sentences.push({ text: clean, start: at + lead, end: stop - trail, heading, bullet, line, ...extra });
    }
    if (stop !== Math.min(end, at + MAX_SENTENCE)) at = stop - MAX_SENTENCE;
  }
}

// ---------------------------------------------------------------------------------------------
// Known services

interface KnownService {
  name: string;
  pattern: RegExp;
  type: "hosting" | "analytics" | "service";
  /** Where the company is based, for the question about data leaving the UK. */
  country: string;
}

const service = (name: string, type: KnownService["type"], country: string, pattern: string): KnownService => ({
  name,
  type,
  country,
  pattern: new RegExp(`(?<![\\w.@/-])(?:${pattern})(?![\\w@-])`, "g"),
});

/** Longest names first within each family, so "Google Cloud Messaging" is not read as "Google Cloud". */
export const KNOWN_SERVICES: readonly KnownService[] = [
  service("Google Analytics", "analytics", "US", "Google Analytics(?: 4)?|GA4|Universal Analytics"),
  service("Google Tag Manager", "analytics", "US", "Google Tag Manager"),
  service("Hotjar", "analytics", "Malta", "Hotjar"),
  service("Mixpanel", "analytics", "US", "Mixpanel"),
  service("Amplitude", "analytics", "US", "Amplitude(?= Analytics| Inc|,| to| for| and)"),
  service("Heap", "analytics", "US", "Heap Analytics"),
  service("Matomo", "analytics", "New Zealand", "Matomo|Piwik"),
  service("Plausible", "analytics", "EU", "Plausible Analytics|Plausible\\.io"),
  service("Fathom Analytics", "analytics", "Canada", "Fathom Analytics"),
  service("Microsoft Clarity", "analytics", "US", "Microsoft Clarity"),
  service("Adobe Analytics", "analytics", "US", "Adobe Analytics"),
  service("Segment", "analytics", "US", "Twilio Segment|Segment\\.io|Segment\\.com"),
  service("FullStory", "analytics", "US", "FullStory"),
  service("Crazy Egg", "analytics", "US", "Crazy ?Egg"),
  service("Meta Pixel", "analytics", "US", "(?:Facebook|Meta) Pixel"),
  service("LinkedIn Insight Tag", "analytics", "US", "LinkedIn Insight(?: Tag)?"),
  service("Pendo", "analytics", "US", "Pendo"),
  service("Smartlook", "analytics", "Czech Republic", "Smartlook"),
  service("Firebase Analytics", "analytics", "US", "(?:Google )?Firebase Analytics"),
  service("Google Cloud Messaging", "service", "US", "Google Cloud Messaging|Firebase Cloud Messaging"),
  service("Amazon Web Services", "hosting", "US", "Amazon Web Services|AWS|Amazon S3|Amazon EC2|Amazon RDS"),
  service("Microsoft Azure", "hosting", "US", "(?:Microsoft )?Azure"),
  service("Microsoft 365", "service", "US", "Microsoft 365|Office 365|Microsoft Office 365|Microsoft Teams|Outlook\\.com"),
  service("Google Cloud", "hosting", "US", "Google Cloud(?: Platform)?|GCP"),
  service("Google Workspace", "service", "US", "Google Workspace|G Suite|Gmail"),
  service("Firebase", "hosting", "US", "Firebase"),
  service("Microsoft", "hosting", "US", "Microsoft(?! (?:Word|Excel|Edge|Clarity|365|Office|Teams|Azure))"),
  service("Rackspace", "hosting", "US", "Rackspace(?: (?:Ltd|Limited|Technology|UK))?"),
  service("UKFast", "hosting", "UK", "UK ?Fast(?:\\.net)?(?: (?:Ltd|Limited))?|UKFAST"),
  service("iomart", "hosting", "UK", "iomart"),
  service("Memset", "hosting", "UK", "Memset"),
  service("Pulsant", "hosting", "UK", "Pulsant"),
  service("Redcentric", "hosting", "UK", "Redcentric"),
  service("Six Degrees", "hosting", "UK", "Six Degrees"),
  service("Fasthosts", "hosting", "UK", "Fasthosts"),
  service("Krystal", "hosting", "UK", "Krystal Hosting"),
  service("DigitalOcean", "hosting", "US", "Digital ?Ocean"),
  service("Linode", "hosting", "US", "Linode|Akamai Cloud"),
  service("Heroku", "hosting", "US", "Heroku"),
  service("Vercel", "hosting", "US", "Vercel"),
  service("Netlify", "hosting", "US", "Netlify"),
  service("OVHcloud", "hosting", "France", "OVH(?:cloud)?"),
  service("Hetzner", "hosting", "Germany", "Hetzner"),
  service("IONOS", "hosting", "Germany", "IONOS|1&1"),
  service("Oracle Cloud", "hosting", "US", "Oracle Cloud"),
  service("IBM Cloud", "hosting", "US", "IBM Cloud"),
  service("Cloudflare", "service", "US", "Cloudflare"),
  service("Mailchimp", "service", "US", "Mail ?[Cc]himp"),
  service("SendGrid", "service", "US", "SendGrid"),
  service("Mailgun", "service", "US", "Mailgun"),
  service("Postmark", "service", "US", "Postmark"),
  service("Amazon SES", "service", "US", "Amazon SES"),
  service("Twilio", "service", "US", "Twilio(?! Segment)"),
  service("Vonage", "service", "US", "Vonage|Nexmo"),
  service("Textlocal", "service", "UK", "Textlocal"),
  service("Esendex", "service", "UK", "Esendex"),
  service("Brevo", "service", "France", "Brevo|Sendinblue"),
  service("Stripe", "service", "US", "Stripe"),
  service("PayPal", "service", "US", "PayPal"),
  service("GoCardless", "service", "UK", "GoCardless"),
  service("Worldpay", "service", "UK", "Worldpay"),
  service("Sage", "service", "UK", "Sage (?:Accounting|Business Cloud|Pay)"),
  service("Xero", "service", "New Zealand", "Xero"),
  service("QuickBooks", "service", "US", "QuickBooks|Intuit"),
  service("Zendesk", "service", "US", "Zendesk"),
  service("Freshdesk", "service", "US", "Freshdesk|Freshworks"),
  service("Intercom", "service", "US", "Intercom(?! system)"),
  service("HubSpot", "service", "US", "HubSpot"),
  service("Salesforce", "service", "US", "Salesforce"),
  service("Zoho", "service", "India", "Zoho"),
  service("Pipedrive", "service", "US", "Pipedrive"),
  service("Slack", "service", "US", "Slack"),
  service("Zoom", "service", "US", "Zoom(?: Video)?"),
  service("DocuSign", "service", "US", "DocuSign"),
  service("Dropbox", "service", "US", "Dropbox"),
  service("Atlassian", "service", "Australia", "Atlassian|Jira|Confluence"),
  service("Sentry", "service", "US", "Sentry"),
  service("New Relic", "service", "US", "New Relic"),
  service("Datadog", "service", "US", "Datadog"),
  service("Auth0", "service", "US", "Auth0|Okta"),
  service("OpenAI", "service", "US", "OpenAI|ChatGPT"),
  service("Wonde", "service", "UK", "Wonde"),
  service("Groupcall", "service", "UK", "Groupcall|Xporter"),
  service("SurveyMonkey", "service", "US", "SurveyMonkey"),
  service("Typeform", "service", "Spain", "Typeform"),
  service("YouTube", "service", "US", "YouTube"),
  service("Vimeo", "service", "US", "Vimeo"),
  service("reCAPTCHA", "service", "US", "(?:Google )?reCAPTCHA"),
];

interface ServiceMention {
  service: KnownService;
  index: number;
  length: number;
}

/** One pattern for all of them: most sentences name no service, and are passed over in one test. */
const ANY_SERVICE = new RegExp(KNOWN_SERVICES.map((known) => `(?:${known.pattern.source})`).join("|"));

function servicesIn(text: string): ServiceMention[] {
  const found: ServiceMention[] = [];
  if (!ANY_SERVICE.test(text)) return found;
  for (const known of KNOWN_SERVICES) {
    known.pattern.lastIndex = 0;
    for (let match = known.pattern.exec(text); match; match = known.pattern.exec(text)) {
      const index = match.index;
      const length = match[0].length;
      if (!found.some((other) => index < other.index + other.length && other.index < index + length)) {
        found.push({ service: known, index, length });
      }
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

// ---------------------------------------------------------------------------------------------
// Shared patterns

const POSTCODE = /\b(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})\b/;
const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}/;
/** An email address in the text; a text without "@" is not searched (the pattern is slow on one long word). */
function emailIn(text: string): RegExpExecArray | null {
  return text.includes("@") ? EMAIL.exec(text) : null;
}
/** Cloudflare's email protection leaves this in place of an address in a saved page. */
const HIDDEN_EMAIL = /\[email(?:&#160;| )protected\]/i;
const ORG_SUFFIX = "(?:Ltd|Limited|LLP|LLC|Inc|Incorporated|plc|PLC|CIC|GmbH)";
/** A name in capitals ending in a company suffix: "The DP Advice Service Ltd". */
const ORG = new RegExp(`(?:The |the )?(?:(?!${ORG_SUFFIX}\\b)[A-Z0-9][\\w&'’.-]{0,30}(?: | (?:of|and|for|&) |, (?=${ORG_SUFFIX}\\b))){1,7}${ORG_SUFFIX}\\b\\.?`, "g");
const PERSON_OR_ORG = "[A-Z][\\w&'’.-]{0,30}(?: (?:of |and |& )?[A-Z0-9][\\w&'’.-]{0,30}){0,6}";
/** Patterns built once (they are made from the shared pieces above). */
const TOP_ORG = new RegExp(`^${ORG.source}$`);
const OWNED_BY = new RegExp(`\\b(?:owned|operated|provided|run|published|developed|made|built|created|supplied) (?:and (?:operated|managed|run|supported) )?by (${ORG.source})`);
const NOTICE_OF = new RegExp(`\\b(?:privacy (?:notice|policy|statement)|this notice|this policy) (?:for|of|from|by) (${ORG.source})`, "i");
const WE_DASHED = new RegExp(`\\bWe\\s?[–—-]\\s?(${ORG.source})\\s?[–—-]\\s?(?:are|is|act)`);
const ORG_ALIAS = new RegExp(`(${ORG.source}) \\([^()]{0,60}?\\b(?:we|us|our)\\b`);
const NAMED_CONTROLLER = new RegExp(`(?:^|[.;:] )(${PERSON_OR_ORG}),? (?:is|are|acts as|will be|remains) (?:the|a) (?:["“'‘])?(?:[Dd]ata )?[Cc]ontroller\\b`);
const OPENING_ORG = new RegExp(`^(${ORG.source}),? (?:\\([^()]{0,80}\\) )?(?:[a-z]{2,20}s|is|are|was|has)\\b`);
const TRADING_NAME = new RegExp(`\\b(?:a )?trading (?:name|division|style) of (${ORG.source})`);
const ORG_IS_A = new RegExp(`^(${ORG.source}),? (?:is|are) (?:a|an) (?:[\\w-]+ ){0,3}(?:company|corporation|business|organisation|organization|charity|provider|partnership|firm)\\b`);
const ORG_REGISTERED_IN = new RegExp(`(${ORG.source}),? (?:is )?(?:a (?:private )?(?:limited )?company |a company )?(?:incorporated|registered) in (?:England|Scotland|Wales|Northern Ireland)`);
const DPO_IS = new RegExp(`\\b(?:DPO|Data Protection Officer|Privacy Officer)(?: \\(DPO\\))? (?:is|is called) (${PERSON_OR_ORG})`);
const IS_DPO = new RegExp(`(?:^|[.;:] )(${PERSON_OR_ORG}),? (?:is|acts as) (?:the|our) (?:appointed )?(?:DPO|Data Protection Officer|Privacy Officer)`);
const DPO_PROVIDED_BY = new RegExp(`\\b(?:DPO|Data Protection Officer) (?:is|are) (?:provided by|supplied by) (${PERSON_OR_ORG})`);
const DPO_LABEL = new RegExp(`\\b(?:DPO|[Dd]ata [Pp]rotection [Oo]fficer|[Pp]rivacy [Oo]fficer)(?: \\(DPO\\))?\\s?[:–-]\\s?(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\\.? )?(${PERSON_OR_ORG})`);
const ROLE = new RegExp(`(?:^|[\\s(“"‘'–—-])((?:[Ww]e|${PERSON_OR_ORG}))(?: (?:will|shall|may|would))? (?:are|is|be|act|acts|remain|remains|operate|operates|are acting|is acting)(?: as)?(?: (?:the|a|an|your|their|its))?(?: (?:independent|joint|separate|sole))? ["“'‘]?(?:[Dd]ata )?([Cc]ontroller|[Pp]rocessor|[Ss]ub-?[Pp]rocessor)s?\\b`, "g");
const PRODUCT_OF = new RegExp(`\\b(?:app|application|service|product|platform|software|tool|system|website) (?:from|by|of) (${ORG.source})`);
const LEADING_ORG = new RegExp(`^${ORG.source}`);
const WE_ARE_ORG = new RegExp(`^We are (${ORG.source})`);
const ICO_NUMBER = /(?<![A-Za-z0-9])[Zz][0-9A-Za-z][0-9]{6}(?![A-Za-z0-9])/g;
const ICO = /Information Commissioner|\bICO\b|ico\.org\.uk/i;
const NEGATION = /\b(?:(?:do|does|will|would|shall|must|did|should)\s?n[o']t|never|neither|nor|without)\b[^.]{0,40}$/i;

const NUMBER_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, eighteen: 18, twenty: 20, "twenty-five": 25, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90, hundred: 100,
};
const DURATION = /\b(\d{1,4}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|eighteen|twenty-five|twenty|thirty|forty|fifty|sixty|ninety|hundred)(?:\s|-)(?:\(\d{1,4}\)\s)?(?:calendar\s|full\s|academic\s|school\s|working\s|business\s)?(hour|day|week|month|year|term)s?\b/gi;
const RETENTION_CUE = /\b(?:keep|keeps|kept|keeping|retain|retains|retained|retaining|retention|hold|holds|held|store|stores|stored|storing|delete|deletes|deleted|deleting|deletion|destroy|destroyed|destruction|erase|erased|purge|purged|dispose|disposed|remove|removed|anonymi[sz]e[ds]?|archived?)\b|for a period of|rendered unidentifiable/i;

function normaliseDuration(amount: string, unit: string): string {
  const number = /^\d+$/.test(amount) ? Number(amount) : (NUMBER_WORDS[amount.toLowerCase()] ?? 1);
  const base = unit.toLowerCase();
  return `${number} ${base}${number === 1 ? "" : "s"}`;
}

const lower = (value: string) => value.toLowerCase();

// ---------------------------------------------------------------------------------------------
// The reader

type Draft = Omit<NoticeFact, "sentence" | "start" | "end">;

interface ReaderState {
  sentences: Sentence[];
  facts: NoticeFact[];
  /** Set by a sentence such as "… will be retained as follows:", until the next prose paragraph. */
  retentionList: boolean;
  previousLabel: string | undefined;
  topLines: number;
  /** The section a heading such as "Your rights" or "Complaints" opened. */
  section: "rights" | "complaints" | "sharing" | undefined;
  previousText: string | undefined;
  previousRights: boolean;
}

export function readPrivacyNotice(input: string): NoticeReading {
  const text = input.length > MAX_TEXT ? input.slice(0, MAX_TEXT) : input;
  const sentences = splitSentences(text).slice(0, MAX_SENTENCES);
  const state: ReaderState = { sentences, facts: [], retentionList: false, previousLabel: undefined, topLines: 0, section: undefined, previousText: undefined, previousRights: false };
  for (let index = 0; index < sentences.length; index += 1) {
    const sentence = sentences[index]!;
    const drafts: Draft[] = [];
    readSentence(sentence, index, state, drafts);
    for (const draft of drafts) {
      addFact(state.facts, { ...draft, sentence: sentence.text, start: sentence.start, end: sentence.end });
    }
  }
  const facts = state.facts;
  if (!facts.some((fact) => fact.kind === "privacy-contact")) {
    // No DPO or privacy contact: the notice's general contact is the one to use.
    const general = sentences.find((sentence) => (emailIn(sentence.text) !== null) && /\b(?:contact|email|e-mail|write|reach)\b/i.test(sentence.text) && !ICO.test(sentence.text));
    if (general) facts.push({ kind: "privacy-contact", value: emailIn(general.text)![0].replace(/\.$/, ""), detail: "a general contact: no DPO or privacy contact is named", sentence: general.text, start: general.start, end: general.end });
  }
  const flags = flagsFor(facts, sentences);
  if (input.length > MAX_TEXT || sentences.length >= MAX_SENTENCES) {
    flags.unshift({ kind: "question", code: "not-all-read", message: "The notice is too long to read whole: only its first part was read. Check the rest by hand." });
  }
  return { facts, flags };
}

function readSentence(sentence: Sentence, index: number, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  if (!/[A-Za-z]{2}/.test(text)) return;
  const questionHeading = sentence.heading && /^(?:how|what|why|do|does|who|where|when|are|is|can|will|which)\b/i.test(text);
  if (sentence.heading && !sentence.bullet && text.split(" ").length <= 6) {
    state.section = /\brights\b/i.test(text) ? "rights" : /\bcomplain/i.test(text) ? "complaints" : /\bsub-?processors?\b|\bthird[- ]part|\bshar(?:e|ing)\b|\brecipients\b|\bsuppliers\b/i.test(text) ? "sharing" : undefined;
  }
  if (index < 12 && state.topLines < 8) {
    state.topLines += 1;
    readTop(sentence, index, state, drafts);
  }
  readIdentity(sentence, index, state, drafts);
  readContact(sentence, state, drafts);
  readRole(text, drafts);
  readLawfulBasis(text, drafts);
  readCategories(text, drafts);
  readRetention(sentence, state, drafts);
  readTransfers(text, sentence, drafts);
  readServices(sentence, state, drafts);
  readSecurity(text, drafts);
  if (!questionHeading) readCookies(text, drafts);
  readRights(text, state, drafts);
  readComplaint(text, state, drafts);
}

/** The company's name and address when they head the notice, as in a letterhead. */
function readTop(sentence: Sentence, index: number, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  const org = TOP_ORG.exec(text.replace(/[.,]$/, ""));
  if (org && text.length <= 80) {
    drafts.push({ kind: "controller", value: org[0].replace(/\.$/, "") });
    return;
  }
  const postcode = POSTCODE.exec(text);
  if (postcode && text.length <= 160 && !ICO.test(text) && !/\bregistered\b/i.test(text) && !/\b(?:is|are|was|we|our|you)\b/i.test(text) && state.facts.some((fact) => fact.kind === "controller")) {
    const previous = state.sentences[index - 1];
    if (previous && state.facts.some((fact) => fact.kind === "controller" && fact.start === previous.start)) {
      drafts.push({ kind: "registered-address", value: text.slice(0, postcode.index + postcode[0].length).replace(/^[^A-Za-z0-9]+/, ""), detail: "the address under the company's name (not said to be its registered office)" });
    }
  }
}

const GENERIC_PARTIES = /^(?:the |your |each |every |our |a |an )?(?:school|schools|academy|academies|trust|trusts|customer|customers|council|local authority|controller|data controller|user|users|organisation|you|we|it|they|this|that|which|who)\b/i;

function cleanName(name: string): string {
  return name.replace(/^(?:and|or|by|to|with|for)\s+/i, "").replace(/[.,;:]+$/, "").replace(/\s+/g, " ").trim();
}

function readIdentity(sentence: Sentence, index: number, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  // Who runs the service: "X is owned by Y", "provided by Y", "This is the privacy notice of Y", "We – Y – are the controller".
  const owned = OWNED_BY.exec(text);
  if (owned && !/\b(?:host|hosted|data[- ]cent|server)/i.test(text)) drafts.push({ kind: "controller", value: cleanName(owned[1]!) });
  const productOf = PRODUCT_OF.exec(text);
  if (productOf) drafts.push({ kind: "controller", value: cleanName(productOf[1]!) });
  const noticeOf = NOTICE_OF.exec(text);
  if (noticeOf) drafts.push({ kind: "controller", value: cleanName(noticeOf[1]!) });
  const dashed = WE_DASHED.exec(text);
  if (dashed) drafts.push({ kind: "controller", value: cleanName(dashed[1]!) });
  const weAre = ORG_ALIAS.exec(text);
  if (weAre) drafts.push({ kind: "controller", value: cleanName(weAre[1]!) });
  const isController = NAMED_CONTROLLER.exec(text);
  if (isController) {
    const name = cleanName(isController[1]!);
    if (!GENERIC_PARTIES.test(name) && !/\b(?:school|academy|trust|council|customer|authority)\b/i.test(name)) drafts.push({ kind: "controller", value: name });
  }
  const early = index < 25 && !state.facts.some((fact) => fact.kind === "controller");
  const opening = early ? OPENING_ORG.exec(text) : null;
  if (opening) drafts.push({ kind: "controller", value: cleanName(opening[1]!) });
  const field = /\b[Dd]ata (processor|controller)\s?[:–-]\s?/.exec(text);
  if (field) {
    const org = LEADING_ORG.exec(text.slice(field.index + field[0].length));
    if (org) {
      drafts.push({ kind: "controller", value: cleanName(org[0]) });
      drafts.push({ kind: "role", value: field[1]!.toLowerCase() });
      const rest = text.slice(field.index + field[0].length + org[0].length);
      const postcode = POSTCODE.exec(rest);
      if (postcode && /^,\s/.test(rest) && postcode.index < 120) drafts.push({ kind: "registered-address", value: rest.slice(2, postcode.index + postcode[0].length), detail: "the address given with the company's name (not said to be its registered office)" });
    }
  }
  const weAreOrg = WE_ARE_ORG.exec(text);
  if (weAreOrg) drafts.push({ kind: "controller", value: cleanName(weAreOrg[1]!) });
  const tradingName = TRADING_NAME.exec(text);
  if (tradingName) drafts.push({ kind: "controller", value: cleanName(tradingName[1]!) });
  const isA = ORG_IS_A.exec(text);
  if (isA) drafts.push({ kind: "controller", value: cleanName(isA[1]!) });
  const registeredIn = ORG_REGISTERED_IN.exec(text);
  if (registeredIn) drafts.push({ kind: "controller", value: cleanName(registeredIn[1]!) });

  // Companies House number.
  const companyNumber = /\b(?:compan(?:y|ies)(?: house)?|registered)(?:(?: registration| reg\.?)(?: (?:number|no\.?))?| (?:number|no\.?))(?: is)?:? ?((?:SC|NI|OC|SO|NC|R0|FC)?[0-9]{6,8})\b/i.exec(text)
    ?? /\bregistered in (?:England(?: (?:and|&) Wales)?|Scotland|Wales|Northern Ireland)[^.]{0,60}?\b(?:number|no\.?)\s?:?\s?((?:SC|NI|OC)?[0-9]{6,8})\b/i.exec(text);
  if (companyNumber && !ICO.test(text.slice(Math.max(0, companyNumber.index - 60), companyNumber.index))) {
    const number = companyNumber[1]!.toUpperCase();
    drafts.push({ kind: "company-number", value: /^[0-9]{6,7}$/.test(number) ? number.padStart(8, "0") : number });
  }

  // ICO registration number.
  ICO_NUMBER.lastIndex = 0;
  for (let match = ICO_NUMBER.exec(text); match; match = ICO_NUMBER.exec(text)) {
    drafts.push({ kind: "ico-registration", value: match[0].toUpperCase() });
  }

  // Registered office.
  if (!ICO.test(text) && /\bregistered (?:office|address)/i.test(text)) {
    const postcode = POSTCODE.exec(text);
    const lead = /\bregistered (?:office|address)(?: address)?\s?(?:is|at|:)\s?(?:at\s)?:?\s?/i.exec(text);
    if (postcode && lead && lead.index + lead[0].length < postcode.index) {
      drafts.push({ kind: "registered-address", value: text.slice(lead.index + lead[0].length, postcode.index + postcode[0].length).trim() });
    } else if (!postcode && /:\s*$/.test(text)) {
      const block = addressBlock(state.sentences, index);
      if (block) {
        drafts.push({ kind: "registered-address", value: block.value });
        sentence.text = `${text} ${block.value}`;
        sentence.end = block.end;
      }
    }
  }
}

/** An address laid out one part a line after "Our registered address is:", up to its postcode. */
function addressBlock(sentences: Sentence[], index: number): { value: string; end: number } | undefined {
  const parts: string[] = [];
  for (let next = index + 1; next < sentences.length && next <= index + 8; next += 1) {
    const line = sentences[next]!;
    if (line.text.length > 80) return undefined;
    parts.push(line.text.replace(/,$/, ""));
    if (POSTCODE.test(line.text)) return { value: parts.join(", "), end: line.end };
  }
  return undefined;
}

const DPO = /\b(?:DPO|Data Protection (?:Officer|Lead|Manager|Team|Controller's Representative)|Privacy (?:Officer|Team|Lead|Manager))\b/i;

function readContact(sentence: Sentence, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  if (ICO.test(text)) return;
  const named = DPO_IS.exec(text)
    ?? IS_DPO.exec(text)
    ?? DPO_PROVIDED_BY.exec(text)
    ?? /\b(?:DPO|Data Protection Officer|Privacy Officer)(?: \(DPO\))?, (?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? )?([A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2}),/.exec(text)
    ?? DPO_LABEL.exec(text);
  const email = emailIn(text);
  if (named) {
    const name = cleanName(named[1]!);
    if (!GENERIC_PARTIES.test(name)) {
      drafts.push({ kind: "privacy-contact", value: name, detail: email ? `Data Protection Officer, ${email[0]}` : "Data Protection Officer" });
      return;
    }
  }
  const toPrivacy = /\b(?:write|post|send|letters?)\b[^.]{0,20}\bto:? (?:the )?(?:Data Protection|Privacy)\b/i.test(text);
  const aboutPrivacy = DPO.test(text) || toPrivacy || (email !== null && /^(?:privacy|dpo|data\.?protection|gdpr|dp|informationgovernance|ig)[@.]/i.test(email[0])) || /\b(?:questions?|quer(?:y|ies)|comments?|concerns?)\b[^.]{0,80}\b(?:privacy (?:notice|policy|statement)|this (?:notice|policy|statement)|personal (?:data|information)|data protection)\b/i.test(text);
  if (!aboutPrivacy) return;
  if (email) {
    const address = email[0].replace(/\.$/, "");
    // "Our DPO is Ravi Patel. … email dpo@…": the address is Ravi Patel's.
    const named = state.facts.find((fact) => fact.kind === "privacy-contact" && !fact.value.includes("@") && !(fact.detail ?? "").includes("@"));
    if (named && DPO.test(address)) {
      named.detail = `${named.detail ?? "Data Protection Officer"}, ${address}`;
      return;
    }
    drafts.push({ kind: "privacy-contact", value: address });
    return;
  }
  const postcode = POSTCODE.exec(text);
  const lead = /\b(?:(?:write|post|letter|send)\w* to|by post(?: to)?|address(?: is)?|at):?\s/i.exec(text);
  if (postcode && lead && lead.index < postcode.index && (DPO.test(text) || toPrivacy)) {
    drafts.push({ kind: "privacy-contact", value: text.slice(lead.index + lead[0].length, postcode.index + postcode[0].length).replace(/^[\s:]+/, "") });
  }
}

function readRole(text: string, drafts: Draft[]): void {
  const roleRe = ROLE;
  roleRe.lastIndex = 0;
  const asRe = /\b(?:[Ww]e|us|[A-Z][\w&-]{1,30}(?: [A-Z][\w&-]{1,30}){0,3}) (?:will |shall |may |only )?(?:process|processes|collect|collects|handle|handles|hold|holds|use|uses|act|acts)\b[^.;]{0,50}?\bas (?:a|the|your|an) (?:independent |joint |separate )?["“'‘]?(?:[Dd]ata )?([Cc]ontroller|[Pp]rocessor)\b/g;
  const seen = new Set<string>();
  for (const re of [roleRe, asRe]) {
    re.lastIndex = 0;
    for (let match = re.exec(text); match; match = re.exec(text)) {
      const who = re === roleRe ? match[1]! : "we";
      if (re === asRe && (/\b(?:refer|them|they|you|your|school|customer|council|authority)\b/i.test(match[0]) || /^(?:The|If|When|Where|Schools?|Each|Your)\b/.test(match[0]))) continue;
      const role = (re === roleRe ? match[2]! : match[1]!).toLowerCase().includes("processor") ? "processor" : "controller";
      if (re === roleRe && (GENERIC_PARTIES.test(who) && !/^(?:we|us)$/i.test(who))) continue;
      if (/\b(?:school|academy|trust|council|customer|authority|you)\b/i.test(who)) continue;
      if (seen.has(role)) continue;
      seen.add(role);
      const after = text.slice(match.index + match[0].length).replace(/^[”"’']/, "").trim();
      const detail = /^(?:for|of|in respect of|on behalf of|when|in relation to)\b/i.test(after) ? after.replace(/[.;].*$/, "").slice(0, 140) : undefined;
      drafts.push({ kind: "role", value: role, ...(detail ? { detail } : {}) });
    }
  }
  // "We act as the controller for teacher accounts and as a processor for pupil data".
  const also = seen.size > 0 ? /\b(?:and|but|or) (?:also )?as (?:a|an|the) (?:independent |joint )?(?:data )?(controller|processor)\b/i.exec(text) : null;
  if (also && !seen.has(also[1]!.toLowerCase())) drafts.push({ kind: "role", value: also[1]!.toLowerCase() });
}

function readLawfulBasis(text: string, drafts: Draft[]): void {
  const bases: [NoticeFact["value"], RegExp][] = [
    ["consent", /\b6\s?\(1\)\s?\(a\)|\b(?:your|their|explicit|with|of|on|basis of|rely on|based on|given|have your|parental) consent\b|\bconsent (?:to|for) (?:stor|process|the process|us|use|the use|collect|shar)|\bconsent is (?:the|our) (?:legal|lawful) basis/i],
    ["contract", /\b6\s?\(1\)\s?\(b\)|\b(?:enter(?:ing)? into|perform(?:ance of)?|fulfil(?:l)?(?:ment of)?|necessary for|under|to deliver) (?:a|the|our|your|that|this) contract\b|\bcontractual (?:necessity|obligations?|basis)\b|\bcontract with (?:you|us|your school)\b[^.]{0,60}\bnecessary/i],
    ["legal-obligation", /\b6\s?\(1\)\s?\(c\)|\blegal (?:obligations?|requirements?|duty|duties)\b|\bstatutory (?:obligations?|duty|duties)\b|\bcomply with (?:the|our|a) law\b/i],
    ["vital-interests", /\b6\s?\(1\)\s?\(d\)|\bvital interests?\b/i],
    ["public-task", /\b6\s?\(1\)\s?\(e\)|\bpublic task\b|(?<!substantial )\bpublic interest\b|\bofficial authority\b/i],
    ["legitimate-interests", /\b6\s?\(1\)\s?\(f\)|\blegitimate (?:business )?interests?\b/i],
  ];
  const cited = new Set([...text.matchAll(/\b6\s?\(1\)\s?\(([a-f])\)/gi)].map((match) => match[1]!.toLowerCase()));
  for (const [index, [value, pattern]] of bases.entries()) {
    const match = pattern.exec(text);
    if (!match) continue;
    // A sentence that cites Article 6(1) points is about those bases only.
    if (cited.size > 0 && !cited.has("abcdef"[index]!)) continue;
    if (NEGATION.test(text.slice(Math.max(0, match.index - 40), match.index)) && !/\bonly\b/i.test(text)) continue;
    drafts.push({ kind: "lawful-basis", value });
  }
}

interface Category {
  value: string;
  pattern: RegExp;
  special?: boolean;
  children?: boolean;
}

const category = (value: string, pattern: string, flags: { special?: boolean; children?: boolean; caseSensitive?: boolean } = {}): Category => ({
  value,
  pattern: new RegExp(pattern, flags.caseSensitive ? "g" : "gi"),
  ...(flags.special ? { special: true } : {}),
  ...(flags.children ? { children: true } : {}),
});

/** Earlier entries claim their words first ("social media username" is not also "login details"). */
const CATEGORIES: Category[] = [
  category("special category data", "\\bspecial categor(?:y|ies)(?: of)?(?: personal)?(?: data| information)?|\\bsensitive (?:personal )?(?:data|information)", { special: true }),
  category("social media", "\\bsocial media (?:user ?names?|handles?|profiles?|accounts?|ids?)\\b|\\b(?:LinkedIn|Facebook|Twitter|Instagram|X) (?:profile|handle|account)s?\\b"),
  category("IP address", "\\bIP(?:v[46])? address(?:es)?\\b"),
  category("email address", "\\be-?mail address(?:es)?\\b|\\b(?:work|personal|school|home) e-?mails?\\b"),
  category("telephone number", "\\b(?:tele)?phone numbers?\\b|\\bmobile (?:phone )?numbers?\\b|\\bcontact numbers?\\b"),
  category("date of birth", "\\bdates? of birth\\b|\\bbirth ?dates?\\b|\\bDOB\\b"),
  category("emergency contact", "\\bemergency contacts?\\b|\\bnext of kin\\b"),
  category("contact details", "\\bcontact (?:details|information)\\b(?! (?:below|above|of (?:the|our)|for (?:the|our)|are (?:below|above)))"),
  category("address", "(?<!\\b(?:e-?mail|IP|web|website|registered|office|internet|MAC|IPv[46]) )\\b(?:postal |home |contact |billing )?address(?:es)?\\b(?! (?:is|of (?:the|our)))"),
  category("login details", "\\b(?:log ?-?in|sign ?-?in|account) (?:details|credentials)\\b|\\buser ?names?\\b|\\buser ?ids?\\b|\\bpasswords? (?:and|&) user ?names?\\b"),
  category("device details", "\\bdevice (?:details|information|identifiers?|ids?|type|data|names?)\\b|\\bdevice'?s? (?:id|identifier)\\b|\\bMAC address"),
  category("location data", "\\blocation (?:data|information)\\b|\\b(?:approximate|precise|device) location\\b|\\bgeo-?location\\b|\\bGPS\\b"),
  category("usage data", "\\binternet log\\b|\\blog (?:files?|data|information)\\b|\\bvisitor behaviou?r\\b|\\bpages? (?:you )?visited\\b|\\bbrowsing (?:history|patterns|data|behaviou?r)\\b|\\btraffic (?:data|information)\\b|\\busage (?:data|information)\\b|\\bhow you use (?:the|our) (?:service|site|website|app|platform|software)\\b|\\bdetails of your visits?\\b|\\bsearch (?:criteria|terms|queries)\\b|\\bweb browser\\b|\\bbrowser (?:type|version)\\b|\\btracking and website information\\b|\\bclickstream\\b"),
  category("financial information", "\\bfinancial (?:information|details|data|accounting)\\b|\\bbank (?:details|account)\\b|\\bpayment (?:information|details|card)\\b|\\b(?:credit|debit) card\\b|\\bcard details\\b|\\bdetails of income\\b|\\bsalary\\b|\\bpayroll\\b|\\bsort code\\b|\\b(?:purchase|transaction|payment) history\\b|\\bcard payments?\\b"),
  category("identity documents", "\\bpassports?\\b|\\bproof of (?:your )?identity\\b|\\bdriving licen[cs]es?\\b|\\bidentity documents?\\b|\\bnational insurance number\\b"),
  category("employment details", "\\bCVs?\\b|\\bcurriculum vitae\\b|\\bemployment history\\b|\\bjob applications?\\b|\\bqualifications\\b|\\bjob titles?\\b"),
  category("criminal records", "\\bcriminal (?:records?|convictions?|offences?|offence data)\\b|\\bDBS checks?\\b", { special: true }),
  category("SEN information", "\\bspecial educational needs\\b|\\beducation,? health and care plans?\\b", { special: true, children: true }),
  category("health", "\\b(?:health|medical) (?:records?|data|information|conditions?|history|needs|details|diets?)\\b|\\b(?:physical or mental |mental )?health\\b(?! (?:and safety|and care|professionals?|visitors?|services?|sector|boards?|authorit\\w+|trusts?|checks?|practitioners?))|\\bmedication\\b|\\binjur(?:y|ies)\\b|\\bheights?,? (?:and )?weights?\\b|\\bBMI\\b|\\bdisabilit(?:y|ies)\\b|\\ballerg(?:y|ies)\\b", { special: true }),
  category("religious beliefs", "\\breligio(?:n|us)(?: or philosophical)?(?: beliefs?)?\\b", { special: true }),
  category("ethnicity", "\\bethnic(?:ity| origin| background| group)\\b|\\bracial\\b|\\brace\\b", { special: true }),
  category("sexual orientation", "\\bsexual (?:orientation|life)\\b|\\bsex life\\b", { special: true }),
  category("biometric data", "\\bbiometric\\b|\\bfingerprints?\\b|\\bfacial recognition\\b", { special: true }),
  category("genetic data", "\\bgenetic (?:data|information)\\b", { special: true }),
  category("trade union membership", "\\btrade union\\b", { special: true }),
  category("political opinions", "\\bpolitical (?:opinions?|views)\\b", { special: true }),
  category("SEN information", "\\bSEND?\\b|\\bEHCP?s?\\b", { special: true, children: true, caseSensitive: true }),
  category("safeguarding information", "\\bsafeguarding (?:information|records?|concerns?|data|notes|incidents?|alerts?)\\b|\\bself-harm\\b|\\bradicali[sz]ation\\b|\\bchild protection (?:information|records?|concerns?|data)\\b", { children: true }),
  category("free school meals", "\\bfree school meals?\\b|\\bpupil premium\\b", { children: true }),
  category("attendance", "\\battendance (?:data|records?|information|marks)\\b", { children: true }),
  category("assessment data", "\\bassessment (?:data|information|results?|records?)\\b|\\bexam(?:ination)? results?\\b|\\bgrades\\b|\\b(?:test|reading|assessment|quiz|maths|spelling|exam) scores?\\b|\\breading (?:levels?|ages?)\\b|\\banswers and scores\\b|\\b(?:quiz|test) (?:answers|results)\\b|\\b(?:learning )?progress data\\b|\\b(?:their|pupils?'?|students?'?|learners?'?) progress\\b|\\bexam(?:ination)? scripts?\\b|\\bscripts and marks\\b|\\b(?:exam|test|assessment) marks\\b|\\battainment (?:data|information)\\b", { children: true }),
  category("behaviour records", "\\bbehaviou?r (?:records?|data|information|incidents?|logs?)\\b|\\bexclusions?\\b", { children: true }),
  category("vehicle registration", "\\b(?:car|vehicle) registrations?(?: numbers?)?\\b|\\bnumber ?plates?\\b"),
  category("photographs", "\\bphotographs?\\b|\\bphotos?\\b|\\bCCTV\\b|\\bvideo recordings?\\b"),
  category("correspondence", "\\bcorrespondence\\b|\\b(?:message|chat|conversation) (?:history|content|logs?)\\b|\\brecords? of (?:communications?|correspondence|calls)\\b|\\bcommunications between us\\b"),
  category("pupil data", "\\b(?:data|information|details|records?)\\s(?:about|of|on|relating to|concerning)\\s(?:the\\s|your\\s|their\\s)?(?:\\w+\\s)?(?:pupils?|students?|learners?|schoolchildren)\\b|\\bpupils?'? (?:personal )?(?:data|information|records?|details)\\b|\\bstudents?'? (?:personal )?(?:data|information|records?)\\b|\\bunique pupil numbers?\\b|\\bUPNs?\\b|\\b(?:pupil|student|learner)(?:s|'s|’s|s'|s’)? (?:names?|ages?|year groups?|classes|dates? of birth|work)\\b|\\bcandidate (?:names?|numbers?)\\b|\\bpupils['’] (?!parents|first|full|last|names?\\b)\\w+", { children: true }),
  category("children's data", "\\b(?:data|information|details|records?)\\s(?:about|of|on|relating to|concerning)\\s(?:the\\s|your\\s|their\\s)?(?:\\w+\\s)?(?:children|child|minors?|young people)\\b|\\bchildren(?:'|’)?s (?:personal )?(?:data|information|names?|dates? of birth|records?|details)\\b|\\bchild(?:'|’)s (?:record|name|details)s?\\b|\\b(?:names?|details|dates? of birth|classes)\\b[^.]{0,25}\\bof (?:their|your|the) (?:children|child)\\b", { children: true }),
  category("name", "\\b(?:full |first |last |sur|family |given |your |their |the )?names?\\b(?! (?:that|of (?:the|our|a) (?:company|organisation|business|product|service))| (?:is|are) )", {}),
  category("financial information", "\\bincome\\b"),
];

const ANY_CATEGORY = new RegExp(CATEGORIES.map((known) => `(?:${known.pattern.source})`).join("|"), "i");

const NAME_EXCLUDE = /\b(?:user|file|domain|company|trading|brand|product|school|trust|business|organisation|account|host|display|the|your|our|its|their|whose)\s?$/i;
const CATEGORY_NEGATION = /\b(?:(?:do|does|will|would|shall|did)\s?n[o']t|never)\s(?:\w+\s){0,3}?(?:collect|ask|hold|process|request|store|share|use|record|keep|need|require|sell|rent|disclose)\w*\b[^.]{0,110}$|\bno\s$/i;

function readCategories(text: string, drafts: Draft[]): void {
  if (!ANY_CATEGORY.test(text)) return;
  const claimed: [number, number][] = [];
  for (const known of CATEGORIES) {
    known.pattern.lastIndex = 0;
    for (let match = known.pattern.exec(text); match; match = known.pattern.exec(text)) {
      const start = match.index;
      const end = start + match[0].length;
      if (claimed.some(([from, to]) => start < to && from < end)) continue;
      claimed.push([start, end]);
      const before = text.slice(Math.max(0, start - 140), start);
      const plain = before.replace(/\([^()]*\)/g, " ");
      if (CATEGORY_NEGATION.test(plain) && !/\b(?:except\w*|other than|apart from|save for|unless)\b/i.test(plain.slice(-80))) continue;
      if (known.value === "name") {
        const word = match[0].toLowerCase();
        if (/^(?:the )?names?$/.test(word) && NAME_EXCLUDE.test(before) && !/\b(?:your|their|the)\s$/i.test(before.slice(-6))) continue;
        if (/^the name$/i.test(word) && /^\s(?:that|of|under)\b/i.test(text.slice(end))) continue;
        if (/^[A-Z]/.test(match[0]) && /[A-Za-z]\s$/.test(before) && !/^(?:Full|First|Last|Your|Their|Names?)\b/.test(match[0])) continue;
        if (/\b(?:user|file|domain|company|trading|brand|product|school|trust|business|organisation|host|display|device|computer|network|app|service)(?:\/\w+)?\s$/i.test(before)) continue;
      }
      if (known.value === "pupil data" && /\bSchool\s?$/i.test(before)) continue;
      drafts.push({ kind: "data-category", value: known.value, ...(known.special ? { special: true } : {}), ...(known.children ? { children: true } : {}) });
      // "Pupil name" is pupils' data and a name.
      if (known.children && /\bnames?$/i.test(match[0])) drafts.push({ kind: "data-category", value: "name" });
    }
  }
}

function readRetention(sentence: Sentence, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  const found: { value: string; detail?: string }[] = [];
  const listItem = state.retentionList && text.length <= 80;
  const tableCell = sentence.retentionTable === true && sentence.cells !== undefined;
  DURATION.lastIndex = 0;
  // A real sentence gives a few periods; a run of hundreds is not read further.
  let seen = 0;
  for (let match = DURATION.exec(text); match && seen < 12; match = DURATION.exec(text), seen += 1) {
    if (/^an?$/i.test(match[1]!) && !/\b(?:for|within|after|of|up to)\s$/i.test(text.slice(Math.max(0, match.index - 10), match.index))) continue;
    if (/term/i.test(match[2]!)) continue;
    const value = normaliseDuration(match[1]!, match[2]!);
    if (listItem || tableCell || retentionCue(text, match.index, match.index + match[0].length)) {
      const detail = tableCell ? sentence.cells!.find((cell) => cell !== text && !/\d/.test(cell)) : listItem ? state.previousLabel : retentionSubject(text, match.index);
      found.push({ value, ...(detail ? { detail } : {}) });
    }
  }
  const criteria = /\b(?:for )?(as long as|until|while|whilst|for the (?:duration|lifetime|length) of|at the end of) ([^.,;:()]{3,120}?)(?=$|[.,;:()]| and (?:delete|destroy|remove|erase)|\s(?:unless|after which|then)\b)/gi;
  for (let match = criteria.exec(text), count = 0; match && count < 12; match = criteria.exec(text), count += 1) {
    DURATION.lastIndex = 0;
    if (/duration|lifetime|length/i.test(match[1]!) && DURATION.test(match[0])) continue;
    if (!retentionCue(text, match.index, match.index + match[0].length, true)) continue;
    const lead = match[1]!.toLowerCase().replace(/^(?:for|at) the /, "");
    const value = `${lead} ${match[2]!.trim()}`;
    const subject = retentionSubject(text, match.index);
    found.push({ value, ...(subject ? { detail: subject } : {}) });
  }
  for (const fact of found) drafts.push({ kind: "retention", ...fact });
  // A list of periods follows "… will be retained as follows:".
  if (/:\s*$/.test(text) && RETENTION_CUE.test(text) && text.length > 20) {
    state.retentionList = true;
  } else if (text.length > 120) {
    state.retentionList = false;
  }
  if (/:\s*$/.test(text) && text.length <= 120) state.previousLabel = text.replace(/:\s*$/, "");
}

/** A cue word in the same clause as the period, or earlier in the sentence; a clause of what would have happened is not a policy. */
function retentionCue(text: string, start: number, end: number, before = false): boolean {
  const clauseStart = Math.max(text.lastIndexOf(",", start), text.lastIndexOf(";", start), text.lastIndexOf("(", start), text.lastIndexOf(" – ", start));
  const clauseEndCandidates = [",", ";", ")", " – "].map((mark) => text.indexOf(mark, end)).filter((at) => at !== -1);
  const clauseEnd = clauseEndCandidates.length > 0 ? Math.min(...clauseEndCandidates) : text.length;
  const clause = text.slice(clauseStart + 1, clauseEnd);
  if (/\bwould have\b/i.test(clause)) return false;
  if (/\b(?:respond|reply|answer|acknowledge|notify you of a breach|report)\w*\b/i.test(clause) && !RETENTION_CUE.test(clause)) return false;
  if (!before && RETENTION_CUE.test(clause)) return true;
  return RETENTION_CUE.test(text.slice(0, start)) && !/\b(?:respond|reply)\w*\b/i.test(text.slice(0, start));
}

/** What a period applies to: "analytics data" in "We keep analytics data for 14 months", else the clause it sits in. */
function retentionSubject(sentenceText: string, at: number): string | undefined {
  const from = Math.max(sentenceText.lastIndexOf(",", at), sentenceText.lastIndexOf(";", at)) + 1;
  const stops = [",", ";"].map((mark) => sentenceText.indexOf(mark, at)).filter((index) => index !== -1);
  const clause = sentenceText.slice(from, stops.length > 0 ? Math.min(...stops) : sentenceText.length).trim().replace(/\.$/, "");
  const text = RETENTION_CUE.test(clause) ? clause : sentenceText;
  const active = /\b(?:keep|retain|hold|store|delete|destroy)\s((?:your|the|all|any|our|analytics|this|these)\s[\w’'\s,/-]{2,60}?)\s(?:for|until|within|on|from|after)\b/i.exec(text);
  if (active) return active[1]!.trim();
  const passive = /(?:^|[,;:] ?)((?:(?:the|any|all|your|our|this|these|such)\s)?[\w’'\s/-]{2,60}?)\s(?:is|are|will be|may be|shall be)\s(?:only\s)?(?:kept|retained|held|stored|deleted|destroyed)\b/i.exec(text);
  if (passive && !/^(?:when|if|where|once|after|until)\b/i.test(passive[1]!.trim()) && passive[1]!.trim().split(" ").length > 1) return passive[1]!.trim().replace(/^[A-Z][a-z]+: /, "");
  return clause.length > 0 && clause.length <= 160 ? clause : undefined;
}

const SAFEGUARDS: [string, RegExp][] = [
  ["standard contractual clauses with the UK Addendum", /\bAddendum\b[^.]{0,80}(?:standard contractual clauses|\bSCCs?\b)|(?:standard contractual clauses|\bSCCs?\b)[^.]{0,80}\bAddendum\b/i],
  ["international data transfer agreement (IDTA)", /\bIDTA\b|international data transfer (?:agreement|addendum)/i],
  ["standard contractual clauses", /standard contractual clauses|\bSCCs?\b|model clauses/i],
  ["UK Extension to the EU-US Data Privacy Framework", /Data Privacy Framework|\bDPF\b|UK Extension|Privacy Shield/i],
  ["adequacy", /\badequacy\b|\badequate (?:level of )?protection\b/i],
  ["binding corporate rules", /binding corporate rules|\bBCRs?\b/i],
  ["recipient to comply with the GDPR", /\bcomplian(?:t|ce) with (?:the )?(?:UK )?GDPR\b/i],
];

const ABROAD = /\b(?:outside|beyond|out of)(?: of)? (?:the )?(?:UK|United Kingdom|EEA|European Economic Area|EU|European Union|UK\/EEA|UK or EEA|UK and EEA)\b|\binternational(?:ly)? transfers?\b|\btransfer\w* (?:of (?:personal )?(?:data|information) )?(?:to|in) (?:the )?(?:US|USA|United States|America|India|third countries|other countries|countries outside)\b|\bthird countr(?:y|ies)\b/i;
const TRANSFER_WORD = /\btransfer\w*|\bsent\b|\bsend\b|\bstored\b|\bprocessed\b|\bhosted\b|\bleaves?\b|\bmoved?\b/i;

/** Written with capitals, so "send it to us" is not the US. */
const ABROAD_COUNTRY = /\b(?:in|to|within|into) (?:the )?(?:United States(?: of America)?|USA|U\.S\.|US|India|Canada|Australia|Philippines|South Africa|Israel|China|Japan|Singapore|New Zealand)\b/;

function readTransfers(text: string, sentence: Sentence, drafts: Draft[]): void {
  if (sentence.heading && text.split(" ").length <= 6) return;
  const abroad = ABROAD.exec(text) ?? (/\b(?:transfer\w*|process\w*|stor(?:e|ed|es|ing)|host\w*|sent|held)\b/i.test(text) ? ABROAD_COUNTRY.exec(text) : null);
  const safeguard = SAFEGUARDS.find(([, pattern]) => pattern.test(text));
  if (abroad && (TRANSFER_WORD.test(text) || safeguard)) {
    const negated = /\b(?:do|does|will|shall|would)\s?n[o']t (?:currently |normally |ever |routinely )?(?:transfer|send|store|process|move|host)\w*\b|\bno (?:personal )?(?:data|information) (?:is|will be) (?:transferred|sent|stored|processed)\b|\bnever (?:leaves?|transfer\w*|sent|stored)\b|\bnot (?:be )?(?:transferred|sent|stored|processed)\b/i.test(text);
    if (negated) {
      drafts.push({ kind: "transfer", value: "no transfers outside UK/EEA" });
    } else {
      drafts.push({ kind: "transfer", value: "outside UK/EEA", ...(safeguard ? { detail: safeguard[0] } : {}) });
    }
    return;
  }
  if (safeguard && safeguard[0] !== "recipient to comply with the GDPR" && (safeguard[0] !== "adequacy" || /\btransfer/i.test(text))) {
    drafts.push({ kind: "transfer", value: "outside UK/EEA", detail: safeguard[0] });
    return;
  }
  const ukOnly = /\b(?:does not|doesn't|will not|won't|never|do not) leaves? the (?:UK|United Kingdom)\b|\bUK (?:South|West)\b|\bservers?\b[^.;]{0,30}?\b(?:in|within) (?:the )?(?:UK|United Kingdom)\b|\b(?:held|stored|hosted|kept|located)\b[^.;]{0,40}?\b(?:UK|London|Manchester|Leeds|Cardiff|Edinburgh|Glasgow|Slough|Reading|Birmingham) (?:data ?cent(?:re|er)s?|servers|region|hosting)\b|\bUK (?:South|West) (?:region|data ?cent)|\b(?:stored|hosted|held|kept|located|processed|housed|resides?|remains?|stays?|host|store|keep|process)\b[^.;]{0,60}?\b(?:in|within) (?:the )?(?:UK|United Kingdom|England|Great Britain)\b(?! or)|\bnever leaves? the (?:UK|United Kingdom)\b|\bUK[- ]based (?:servers|data ?cent(?:re|er)s?|hosting)\b/i.exec(text);
  if (ukOnly && !/\b(?:outside|US|USA|United States)\b/.test(text)) {
    drafts.push({ kind: "transfer", value: "UK only" });
    return;
  }
  const eeaOnly = /\b(?:does not|doesn't|will not|won't|never|do not) leaves? the (?:EEA|EU|European Union|European Economic Area)\b|\b(?:stored|hosted|held|kept|located|processed)\b[^.;]{0,60}?\b(?:in|within) (?:the )?(?:EEA|EU|European Union|European Economic Area)\b/i.exec(text);
  if (eeaOnly && (!/\boutside\b/i.test(text) || /\bleaves?\b/i.test(text))) drafts.push({ kind: "transfer", value: "UK/EEA only" });
}

const HOSTING_CUE = /\bhost(?:s|ed|ing)?\b|\bstor(?:e|es|ed|ing|age)\b|\bdata[- ]?cent(?:re|er)s?\b|\bservers?\b|\bcloud\b/i;
const SHARING_CUE = /\bshar(?:e|es|ed|ing)\b|\bdisclos\w*|\bthird[- ]part(?:y|ies)\b|\bsub-?processors?\b|\bservice providers?\b|\bproviders?\b|\bsuppliers?\b|\bprocessors?\b|\bpartners?\b|\bon our behalf\b|\bto process\b|\bprocess and store\b|\bvendors?\b|\bpowered by\b|\b(?:we|they) (?:also )?use\b|\bengag(?:e|es|ed)\b|\bappoint(?:s|ed)?\b/i;
const PUBLIC_BODIES = /^(?:HMRC|DfE|Department for Education|Ofsted|Information Commissioner|ICO|DBS|Disclosure and Barring Service|NHS|Police|HM Revenue|Companies House)/i;
const LOCATIONS: [string, RegExp][] = [
  ["United Kingdom", /\b(?:in|within) (?:the )?(?:UK|United Kingdom|England|Great Britain|London|Manchester|Leeds|Birmingham|Glasgow|Edinburgh|Cardiff|Bristol|Slough|Reading|Newcastle|Sheffield|Nottingham|Belfast)\b|\bUK[- ]based\b|\b(?:London|Manchester|Leeds|Birmingham|Glasgow|Edinburgh|Cardiff) data[- ]?cent/i],
  ["EEA", /\b(?:in|within) (?:the )?(?:EEA|EU|European Union|European Economic Area|Ireland|Germany|Netherlands|France)\b/i],
  ["United States", /\b(?:in|within) (?:the )?(?:US|USA|United States)\b/i],
];

function readServices(sentence: Sentence, state: ReaderState, drafts: Draft[]): void {
  const text = sentence.text;
  const mentions = servicesIn(text);
  const negatedAt = (index: number) => NEGATION.test(text.slice(Math.max(0, index - 60), index));
  // A table cell is read with its row and the table's first row ("| Sub-processor | Purpose |").
  const context = sentence.cells ? [...sentence.cells, ...(sentence.header ?? [])].join(" ; ") : text;
  const hosting = HOSTING_CUE.test(context);
  const sharing = SHARING_CUE.test(context) || (state.section === "sharing" && sentence.heading);
  let hostNamed = false;
  for (const mention of mentions) {
    if (negatedAt(mention.index)) continue;
    const known = mention.service;
    if (known.type === "analytics") {
      drafts.push({ kind: "analytics", value: known.name });
    } else if (known.type === "hosting") {
      if (hosting) {
        drafts.push({ kind: "hosting", value: known.name });
        hostNamed = true;
      }
      if (sharing) drafts.push({ kind: "sub-processor", value: known.name });
    } else {
      drafts.push({ kind: "sub-processor", value: known.name });
    }
  }
  // Companies named by their suffix ("QWeb Ltd") where the sentence is about hosting or sharing.
  if (hosting || sharing) {
    const controllers = [...state.facts, ...drafts].filter((fact) => fact.kind === "controller").map((fact) => lower(fact.value));
    ORG.lastIndex = 0;
    for (let match = ORG.exec(text); match; match = ORG.exec(text)) {
      const name = cleanName(match[0]);
      const start = match.index;
      if (mentions.some((mention) => start < mention.index + mention.length && mention.index < start + match![0].length)) continue;
      if (PUBLIC_BODIES.test(name) || controllers.some((controller) => lower(name).startsWith(controller) || controller.startsWith(lower(name)))) continue;
      if (/\b(?:owned|parent|subsidiary|trading as|t\/a|part of)\b/i.test(text.slice(Math.max(0, start - 40), start))) continue;
      if (negatedAt(start)) continue;
      const before = text.slice(Math.max(0, start - 40), start);
      if (hosting && /\b(?:by|with|from|at)\s(?:\w+\s)?$/i.test(before) && /\bhost|\bdata[- ]?cent|\bservers?\b/i.test(text)) {
        drafts.push({ kind: "hosting", value: name });
        hostNamed = true;
      }
      if (sharing) drafts.push({ kind: "sub-processor", value: name });
    }
  }
  if (!sentence.cells && hosting && !hostNamed && /\b(?:servers?|hosted|data[- ]?cent(?:re|er)s?|stored? (?:all )?(?:\w+ )?data)\b/i.test(text)) {
    const place = LOCATIONS.find(([, pattern]) => pattern.test(text));
    if (place && !/\bnot (?:be )?(?:stored|hosted|held|located|kept) (?:in|within)\b/i.test(text)) drafts.push({ kind: "hosting", value: place[0] });
  }
}

const SECURITY: [string, RegExp][] = [
  ["encryption in transit", /\bencrypted (?:channel|connection|link|tunnel)s?\b|\bin transit\b|\bTLS\b|\bSSL\b|\bHTTPS\b(?!:\/\/)|\btransport layer security\b|\bsecure sockets? layer\b/i],
  ["encryption at rest", /\bat rest\b|\b(?:full[- ])?disk encryption\b|\bBitLocker\b|\bFileVault\b|\bAES[- ]?256\b|\bencrypted (?:databases?|disks?|drives?|backups?|storage)\b/i],
  ["encryption", /\bencrypt(?:ed|ion|s|ing)?\b/i],
  ["two-factor authentication", /\btwo[- ]factor\b|\b2FA\b|\bmulti[- ]factor\b|\bMFA\b|\btwo[- ]step (?:verification|authentication)\b/i],
  ["firewall", /\bfirewalls?\b/i],
  ["password protection", /\bpassword[- ]protected\b|\bprotected by (?:strong |secure )?passwords?\b|\bstrong passwords?\b/i],
  ["penetration testing", /\bpenetration test(?:s|ing|ers?)?\b|\bpen[- ]?test(?:s|ed|ing)?\b|\bCHECK[- ]approved\b|\bvulnerability (?:scan|test)(?:s|ning|ing)?\b/i],
  ["Cyber Essentials Plus", /\bCyber Essentials Plus\b/i],
  ["Cyber Essentials", /\bCyber Essentials\b(?! Plus)/i],
  ["ISO 27001", /\bISO(?:\/IEC)? ?27001\b/i],
  ["ISO 27017", /\bISO(?:\/IEC)? ?27017\b/i],
  ["ISO 27018", /\bISO(?:\/IEC)? ?27018\b/i],
  ["SOC 2", /\bSOC ?2\b/i],
  ["PCI DSS", /\bPCI[- ]?DSS\b/i],
  ["access controls", /\brestrict\w*(?: \w+){0,2} access\b|\baccess controls?\b|\brole[- ]based access\b|\baccess (?:is|to [\w\s]{1,30} is) (?:strictly )?(?:restricted|limited)\b|\blimit\w* access\b|\bneed[- ]to[- ]know\b|\bleast privilege\b/i],
  ["monitoring", /\bmonitor\w* (?:access|all (?:our )?(?:computer|systems|networks)|our (?:systems|networks))\b|\baccess [\w\s]{0,30}(?:is|are) (?:constantly |continuously )?(?:monitored|logged)\b|\bintrusion (?:detection|prevention)\b|\baudit (?:trails?|logs?)\b|\b24\/7 (?:security )?monitoring\b|\bsecurity monitoring\b/i],
  ["obfuscation", /\bobfuscat\w+/i],
  ["pseudonymisation", /\bpseudonymi[sz]\w+/i],
  ["backups", /\bbacked up\b|\b(?:regular|daily|nightly|encrypted|offsite|off-site) backups?\b/i],
  ["anti-virus", /\banti-?virus\b|\bmalware (?:protection|scanning)\b/i],
  ["staff training", /\bstaff (?:are |receive |undergo )?(?:\w+ ){0,2}training\b|\bdata protection training\b/i],
  ["DDoS protection", /\bDDoS\b/i],
  ["staff vetting", /\bDBS[- ]checked\b|\b(?:staff|employees|engineers) (?:are )?(?:background[- ]checked|vetted)\b/i],
];

const ANY_SECURITY = new RegExp(SECURITY.map(([, pattern]) => `(?:${pattern.source})`).join("|"), "i");

function readSecurity(text: string, drafts: Draft[]): void {
  if (!ANY_SECURITY.test(text)) return;
  const claimed: [number, number][] = [];
  for (const [value, pattern] of SECURITY) {
    const match = pattern.exec(text);
    if (!match) continue;
    const start = match.index;
    const end = start + match[0].length;
    if (value.startsWith("encryption") && claimed.some(([from, to]) => start < to && from < end)) continue;
    if (value === "encryption" && drafts.some((draft) => draft.kind === "security" && draft.value.startsWith("encryption"))) continue;
    if (value.startsWith("encryption")) claimed.push([start, end]);
    if (NEGATION.test(text.slice(Math.max(0, start - 40), start))) continue;
    drafts.push({ kind: "security", value });
  }
}

function readCookies(text: string, drafts: Draft[]): void {
  if (!/\bcookies?\b/i.test(text)) return;
  if (/\b(?:do|does|will)\s?n[o']t (?:use|set|place|store) (?:any )?cookies\b(?! (?:except|other than|apart from|beyond))|\bno cookies (?:are|will be) (?:used|set|placed)\b|\bcookie-?free\b/i.test(text)) {
    drafts.push({ kind: "cookies", value: "no cookies" });
    return;
  }
  const kinds: [string, RegExp][] = [
    ["analytics cookies", /\banalytic(?:s|al)? cookies\b|\bperformance cookies\b|\b(?:Google Analytics|Hotjar|Matomo|Mixpanel|Clarity)\b[^.]{0,60}\bcookies\b|\bcookies\b[^.]{0,40}\b(?:Google Analytics|Hotjar)\b/i],
    ["essential cookies", /\b(?:strictly necessary|essential|necessary|required) cookies\b/i],
    ["session cookies", /\bsession cookies?\b|\bcookies?\b[^.]{0,100}\bsession\b(?! storage)/i],
    ["persistent cookies", /\bpersistent cookies\b/i],
    ["functional cookies", /\bfunctional(?:ity)? cookies\b|\bpreference cookies\b/i],
    ["marketing cookies", /\b(?:advertising|marketing|targeting|tracking) cookies\b/i],
    ["third-party cookies", /\bthird[- ]party cookies\b/i],
  ];
  let any = false;
  for (const [value, pattern] of kinds) {
    if (pattern.test(text)) {
      drafts.push({ kind: "cookies", value });
      any = true;
    }
  }
  if (!any && /\b(?:we|our \w+|this (?:site|website)) (?:also )?(?:use|uses|set|sets|place|places)\b[^.]{0,30}\bcookies\b|\bour use of cookies\b|\buse of cookies (?:on|by) (?:our|this) (?:site|website|service)|\bcookies (?:are|will be) (?:placed|set|stored|used)\b|\bstorage of cookies\b|\b(?:used|set|collected) by cookies\b|\bcookies (?:that )?we use\b|\bcookies by us\b|\bour cookies\b/i.test(text)) {
    drafts.push({ kind: "cookies", value: "cookies" });
  }
}

const RIGHTS: [string, RegExp][] = [
  ["access", /\bright (?:of|to) access\b|\bwant a copy\b|\brequests? to (?:access|see)\b|\byou (?:may|can) (?:also )?access\b|\b(?:request|ask for|receive|get|obtain) a copy\b|\bsubject access\b|\bright to (?:a copy|obtain (?:a copy|confirmation))\b|\bto access (?:any|your|the|their) (?:personal )?(?:information|data)\b|\baccess your data\b|\bright (?:of|to) access\b/i],
  ["rectification", /\brectif\w+|\b(?:may|can|to) (?:access, )?correct\b|,? correct(?:,| or| and)|\b(?:ask us to|request that we) (?:correct|update|amend)\b|\bhave (?:it|them|this|that|your (?:\w+ )?(?:data|information)) (?:corrected|updated)\b|\b(?:inaccurate|incorrect|out of date)\b[^.]{0,60}\bcorrect(?:ed|ion)?\b|\bcorrect(?:ed|ion)? (?:of )?(?:any )?(?:inaccurate|incorrect)\b/i],
  ["erasure", /\berasure\b|\b(?:want|have) (?:it|them|your data|your information) (?:deleted|erased)\b|\b(?:or|and|,|to|may|can) delete (?:your|their|the|it|them)\b|\b(?:ask us to|request that we) (?:delete|erase|remove)\b|\berased?\b|\bright to be forgotten\b|\bright to (?:have [\w\s]{1,30} )?delet\w+|\b(?:information|data) deleted\b/i],
  ["restriction", /\brestrict(?:ion)?\b/i],
  ["objection", /\bright to object\b|\bobjection\b(?! to)|\bobject(?:ion)? to\b|\bto object\b|\bright to opt[- ]?out\b|\bright to unsubscribe\b/i],
  ["portability", /\bportability\b|\bto port\b|\bport (?:your|their|the) (?:personal )?(?:information|data)\b|\btransmitted (?:electronically )?to another\b|\btransfer (?:your |their )?(?:personal )?(?:information|data) to another\b|\bmachine[- ]readable\b/i],
  ["automated decision-making", /\bautomated (?:individual )?decision\w*|\bnot to be profiled\b|\bprofiling\b/i],
];

function contactWay(text: string, allowController: boolean): string | undefined {
  if (DPO.test(text)) return "contact DPO";
  if (allowController && /\b(?:contact|through|via|to) (?:the|your) (?:data )?controller\b|\b(?:contact|to|through|via) (?:your|the|their) school\b/i.test(text)) return "contact controller";
  if ((emailIn(text) !== null) || HIDDEN_EMAIL.test(text)) return "contact by email";
  if (POSTCODE.test(text) && /\b(?:write|post|letter)\b/i.test(text)) return "contact by post";
  if (/\b(?:contact us|write to us|get in touch with us|email us|call us)\b/i.test(text)) return "contact us";
  return undefined;
}

function readRights(text: string, state: ReaderState, drafts: Draft[]): void {
  const youMay = /\byou (?:may|can|are entitled to) (?:also )?(?:ask|request|access|correct|update|delete|erase|object|obtain|withdraw|see|download|export)\b|\bif you (?:want|wish|would like)\b[^.]{0,30}\b(?:a copy|deleted|corrected|erased|to access|to see)\b/i.test(text);
  const aboutRights = /\brights?\b/i.test(text) || state.section === "rights" || youMay || /\brequests? to (?:access|see|obtain|correct|delete|erase)\b/i.test(text);
  if (aboutRights) {
    for (const [value, pattern] of RIGHTS) {
      const match = pattern.exec(text);
      if (!match) continue;
      if (value === "access" && /\bright to work\b/i.test(match[0])) continue;
      drafts.push({ kind: "rights", value });
    }
  }
  if (/\bwithdraw\w*\b/i.test(text) && /\bconsent\b/i.test(text)) drafts.push({ kind: "rights", value: "withdraw consent" });
  const exercising = /\bexercis\w+ (?:any of )?(?:(?:your|these|their|the|this) )?(?:\w+ ){0,2}rights?\b|\b(?:make|submit|send) (?:a|your|any) (?:subject access )?request\b|\brequests?\b[^.]{0,60}?\b(?:should|must|can|may) be (?:made|sent|submitted|directed|addressed)\b|\bif you (?:wish|want|would like) to (?:access|exercise|withdraw|object|request|make a request|see)\b|\b(?:direct|send|address|make|submit) (?:any |your |their )?requests?\b|\b(?:questions|requests|enquiries)\b[^.]{0,40}\b(?:rights?|data)\b[^.]{0,30}\b(?:should|must) (?:go|be sent|be directed) to\b/i.test(text) || (youMay && ((emailIn(text) !== null) || DPO.test(text) || POSTCODE.test(text)));
  const afterRights = state.previousRights && /^(?:to make a request|contact|please contact|email|write|you can contact)\b/i.test(text);
  state.previousRights = drafts.some((draft) => draft.kind === "rights");
  if ((exercising || afterRights) && !/\bcomplain/i.test(text) && /\b(?:contact|write|email|e-mail|send|submit|made|through|via|direct(?:ed)?|addressed|go to)\b|\bemail\w*/i.test(text) && !ICO.test(text)) {
    const email = emailIn(text)?.[0].replace(/\.$/, "");
    // An address given earlier as the DPO's is the DPO.
    const dpoEmail = email && state.facts.some((fact) => fact.kind === "privacy-contact" && `${fact.value} ${fact.detail ?? ""}`.toLowerCase().includes(email.toLowerCase()));
    const way = dpoEmail ? "contact DPO" : contactWay(text, true);
    if (way) drafts.push({ kind: "rights", value: way, ...(email ? { detail: email } : {}) });
  }
}

const COMPLAINT_CUE = /\bcomplain\w*|\bconcerns?\b|\bworried\b|\bunhappy\b|\bdissatisfied\b|\bnot (?:happy|satisfied)\b|\bunfair\b|\blodge\b/i;

function readComplaint(text: string, state: ReaderState, drafts: Draft[]): void {
  const cued = COMPLAINT_CUE.test(text);
  const previous = state.previousText;
  state.previousText = text;
  if (!cued && state.section !== "complaints" && !(previous && COMPLAINT_CUE.test(previous) && /\b(?:also|alternatively|otherwise)\b/i.test(text))) return;
  if (!ICO.test(text) && /\b(?:supervisory|data protection) authorit(?:y|ies)\b/i.test(text)) drafts.push({ kind: "complaint", value: "supervisory authority" });
  if (ICO.test(text) && /\b(?:complain\w*|concerns?|lodge|report|apply|refer|contact|raise|tell|write)\b/i.test(text)) {
    drafts.push({ kind: "complaint", value: "ICO" });
  }
  const withoutIco = text.replace(/\b(?:the )?Information Commissioner[’'s]*(?: Office)?|\bICO\b|[\w.]*ico\.org\.uk[\w/.-]*/gi, "");
  if (/\b(?:contact|raise|get in touch|write|email|send|lodge|speak)\w*\b|\bcomplain\w* (?:to|with) (?:us|our)\b/i.test(withoutIco) || (emailIn(withoutIco) !== null)) {
    const way = contactWay(withoutIco, false);
    if (way) drafts.push({ kind: "complaint", value: way });
  }
}

// ---------------------------------------------------------------------------------------------
// Deduplication

export function normaliseValue(value: string): string {
  return value.toLowerCase().normalize("NFKD").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function addFact(facts: NoticeFact[], fact: NoticeFact): void {
  const value = normaliseValue(fact.value);
  if (value === "") return;
  for (const other of facts) {
    if (other.kind !== fact.kind) continue;
    const otherValue = normaliseValue(other.value);
    if (fact.kind === "retention") {
      if (otherValue === value && normaliseValue(other.sentence) === normaliseValue(fact.sentence)) return;
      continue;
    }
    if (otherValue === value) {
      if (!other.detail && fact.detail && other.sentence === fact.sentence) other.detail = fact.detail;
      // A transfer with its safeguard is more use than the same transfer without.
      else if (fact.kind === "transfer" && !other.detail && fact.detail) Object.assign(other, fact);
      return;
    }
    // "The DP Advice Service" after "The DP Advice Service Ltd": the same name, less of it.
    if ((fact.kind === "controller" || fact.kind === "hosting" || fact.kind === "sub-processor") && (otherValue.startsWith(`${value} `) || value.startsWith(`${otherValue} `))) {
      if (value.length > otherValue.length && other.sentence === fact.sentence) other.value = fact.value;
      return;
    }
  }
  facts.push(fact);
}

// ---------------------------------------------------------------------------------------------
// Flags

function flagsFor(facts: NoticeFact[], sentences: Sentence[]): NoticeFlag[] {
  const flags: NoticeFlag[] = [];
  const of = (kind: NoticeFactKind) => facts.filter((fact) => fact.kind === kind);
  const missing = (code: string, message: string) => flags.push({ kind: "missing", code, message });
  const question = (code: string, message: string, sentence?: string) => flags.push({ kind: "question", code, message, ...(sentence ? { sentence } : {}) });

  if (of("controller").length === 0) missing("no-controller", "The notice does not say clearly who the company is (its full legal name). Ask who the controller or processor is.");
  if (of("privacy-contact").every((fact) => fact.detail?.startsWith("a general contact"))) missing("no-privacy-contact", "No Data Protection Officer or privacy contact is named with an email or postal address.");
  if (of("lawful-basis").length === 0) missing("no-lawful-basis", "No lawful basis (UK GDPR Article 6) is given for the processing.");
  if (of("retention").length === 0) missing("no-retention", "No retention period is given: the notice does not say how long personal data is kept.");
  if (of("retention").length > 0 && of("retention").every((fact) => !/\d/.test(fact.value))) {
    question("retention-vague", "Retention is given only in general terms (such as \"as long as necessary\"), with no period. Ask for the retention schedule.");
  }
  if (of("transfer").length === 0) missing("no-transfers", "Transfers outside the UK are not addressed: the notice does not say where data is stored or whether it leaves the UK.");
  if (of("ico-registration").length === 0) missing("no-ico-registration", "No ICO registration number is given. Look the company up on the ICO's register of fee payers.");
  if (!of("complaint").some((fact) => fact.value === "ICO")) {
    const elsewhere = of("complaint").some((fact) => fact.value === "supervisory authority");
    missing("no-ico-complaint", elsewhere ? "The notice mentions complaining to a supervisory authority but does not name the ICO (the Information Commissioner's Office), the UK's regulator." : "The notice gives no way to complain to the ICO (the Information Commissioner's Office).");
  }
  if (of("rights").length === 0) missing("no-rights", "The notice does not explain people's data protection rights or how to use them.");
  if (of("role").length === 0) question("role-unclear", "The notice does not say whether the supplier is a controller or a processor for the school's data. Ask, and ask for a data processing agreement if it is a processor.");

  for (const fact of of("analytics")) {
    const known = KNOWN_SERVICES.find((entry) => entry.name === fact.value);
    if (known && known.country === "US") question("us-analytics", `Uses a US analytics service (${fact.value}). Ask what it collects, whether pupils' use is tracked, and how the transfer to the US is safeguarded.`, fact.sentence);
    else question("analytics", `Uses an analytics service (${fact.value}). Ask what it collects and whether pupils' use is tracked.`, fact.sentence);
  }
  const abroad = new Set<string>();
  for (const fact of [...of("hosting"), ...of("sub-processor")]) {
    const known = KNOWN_SERVICES.find((entry) => entry.name === fact.value);
    const inUk = /\b(?:UK|United Kingdom|England|London|Manchester|Scotland|Wales)\b/.test(fact.sentence);
    if (known && known.country !== "UK" && !abroad.has(known.name) && !inUk) {
      abroad.add(known.name);
      question("provider-outside-uk", `Names ${fact.value}, a company based outside the UK (${known.country}). Ask which region the data is stored in and how any transfer is safeguarded.`, fact.sentence);
    }
  }
  if (of("sub-processor").length === 0 && of("hosting").length === 0) question("no-sub-processors", "No hosting provider or sub-processor is named. Ask for the list of sub-processors.");
  if (!of("security").some((fact) => fact.value.startsWith("encryption"))) question("no-encryption", "The notice makes no claim that data is encrypted. Ask whether data is encrypted in transit and at rest.");
  if (of("security").length === 0) question("no-security", "The notice says nothing about how data is kept secure. Ask for their security measures (for example Cyber Essentials or ISO 27001).");
  for (const fact of of("transfer")) {
    if (fact.value === "outside UK/EEA" && !fact.detail) question("transfer-without-safeguard", "The notice mentions transfers outside the UK/EEA but names no safeguard (adequacy, IDTA, or standard contractual clauses with the UK addendum).", fact.sentence);
  }
  if (of("data-category").some((fact) => fact.special) && !sentences.some((sentence) => /\bArticle 9\b|\b9\s?\(2\)|\bexplicit consent\b|\bsubstantial public interest\b|\bspecial category (?:condition|basis)\b/i.test(sentence.text))) {
    question("special-without-condition", "Special category (or criminal offence) data is mentioned, but no Article 9 condition is given.");
  }
  if (!of("transfer").some((fact) => fact.value !== "UK only" && fact.value !== "UK/EEA only")) {
    const us = sentences.find((sentence) => /\b(?:based|headquartered|located|incorporated) in (?:the )?(?:US|USA|United States)\b|\bUS[- ]based\b/i.test(sentence.text));
    if (us) question("us-link", "The notice mentions a company in the United States. Ask whether any data goes there and how that transfer is safeguarded.", us.text);
  }
  // The Data Protection Act 1998 was repealed in May 2018: a notice that still cites it has not been kept up to date.
  const outdated = sentences.find((sentence) => /\bData Protection Act\s*(?:of\s*)?1998\b|\bDPA\s*1998\b/i.test(sentence.text));
  if (outdated) question("outdated-law", "The notice cites the Data Protection Act 1998, replaced in 2018 by the UK GDPR and the Data Protection Act 2018. Ask when it was last reviewed.", outdated.text);
  if (sentences.some((sentence) => HIDDEN_EMAIL.test(sentence.text))) question("hidden-email", "An email address is hidden in this copy of the notice ([email protected]). Get the address from the supplier's own page.");
  return flags;
}
