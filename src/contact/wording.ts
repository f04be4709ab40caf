import { createHash } from "node:crypto";
import type { ContactKind } from "../platform/database/schema.ts";

/*
 * Email beyond the service's own: news about Steward and surveys (the privacy notice's "updates
 * about our company" and "poll your opinions through surveys", on the lawful basis of consent,
 * Art 6(1)(a)). Each kind is asked separately, in words that say what it is, how often, and that
 * it can be changed at any time. The exact words a person saw are kept with their answer, so the
 * record shows what they agreed to even after these words change. Nothing is ever assumed: with
 * no answer recorded, the answer is no.
 */

/** Every kind, in the order pages list them. */
export const CONTACT_KINDS: readonly ContactKind[] = ["product-updates", "surveys"];

export function isContactKind(value: unknown): value is ContactKind {
  return typeof value === "string" && (CONTACT_KINDS as readonly string[]).includes(value);
}

/** The kind's short name, for headings, tables and subjects. */
export const KIND_NAMES: Record<ContactKind, string> = {
  "product-updates": "News about Steward",
  surveys: "Surveys about Steward",
};

/** What the kind is, in a few words, to finish a sentence ("Steward will stop sending you …"). */
export const KIND_WHAT: Record<ContactKind, string> = {
  "product-updates": "news about Steward",
  surveys: "surveys about Steward",
};

/**
 * The least time between two sends of a kind, so the promise in its wording holds:
 * 31 days, so no calendar month has two; 92 days, so no three months have two.
 */
export const MINIMUM_DAYS_BETWEEN_SENDS: Record<ContactKind, number> = {
  "product-updates": 31,
  surveys: 92,
};

/** The words next to each box on the account page: what a person agrees to by ticking it. */
export const CONSENT_WORDING: Record<ContactKind, string> = {
  "product-updates":
    "Email me news about Steward: new features and important changes to how it works. At most one email a month. I can stop these at any time, on my account page or with the link at the end of each one.",
  surveys:
    "Email me surveys asking what I think of Steward, to help improve it. At most one survey every three months, and answering is always optional. I can stop these at any time, on my account page or with the link at the end of each one.",
};

/** The words on the unsubscribe page, above its button: what the person asks for by pressing it. */
export const UNSUBSCRIBE_WORDING: Record<ContactKind, string> = {
  "product-updates": "Stop sending news about Steward to this email address.",
  surveys: "Stop sending surveys about Steward to this email address.",
};

/** How an answer was given, in words. */
export const HOW_NAMES = {
  "account-page": "On your account page",
  "unsubscribe-link": "With the unsubscribe link in an email",
  registration: "When the licence was registered",
} as const;

/**
 * A short fingerprint of the words the account page shows. The form carries it back, so a save
 * made from a page that showed other words (a change of wording while it was open) is refused
 * rather than recorded against words the person never saw.
 */
export function wordingFingerprint(): string {
  return createHash("sha256")
    .update(JSON.stringify(CONTACT_KINDS.map((kind) => CONSENT_WORDING[kind])))
    .digest("base64url")
    .slice(0, 22);
}
