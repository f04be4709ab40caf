import { z } from "zod";
import { passwordProblem } from "../auth/passwords.ts";
import { NATIONS } from "../calendar/bank-holidays.ts";
import { requiredText } from "../platform/forms.ts";
import { SENSITIVE_ROLES } from "./permissions.ts";

/** A UK telephone number as people write it: spaces, dashes and brackets allowed. */
export const telephone = z
  .string({ error: "Enter a telephone number" })
  .trim()
  .min(1, { error: "Enter a telephone number" })
  .max(30, { error: "Enter a UK telephone number, like 01632 960 001" })
  .refine(isUkTelephone, { error: "Enter a UK telephone number, like 01632 960 001" });

function isUkTelephone(value: string): boolean {
  const compact = value.replace(/[\s().-]/g, "").replace(/^\+440/, "+44");
  return /^(?:\+44|0)\d{9,10}$/.test(compact);
}

export const emailAddress = z
  .string({ error: "Enter an email address" })
  .trim()
  .min(1, { error: "Enter an email address" })
  .max(254, { error: "Email address must be 254 characters or fewer" })
  .pipe(z.email({ error: "Enter an email address in the correct format, like name@example.com" }));

export const username = z
  .string({ error: "Enter a username" })
  .trim()
  .min(1, { error: "Enter a username" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$/, {
    error: "Username must be 3 to 40 letters, numbers, dots, hyphens or underscores",
  });

/** A new password: length and the common-password list here; the person's own context is checked with the whole form. */
export const newPassword = z
  .string({ error: "Enter a password" })
  .min(1, { error: "Enter a password" })
  .superRefine((value, ctx) => {
    const problem = passwordProblem(value);
    if (problem) {
      ctx.addIssue({ code: "custom", message: problem });
    }
  });

export const organisationDetails = {
  name: requiredText("the name of the school or trust"),
  postalAddress: requiredText("the postal address", { max: 500 }),
  telephone,
};

export const registerLicenceSchema = z
  .object({
    organisationKind: z.enum(["trust", "school"], { error: "Select whether you are registering a trust or a school" }),
    nation: z.enum(NATIONS, { error: "Select the nation the trust or school is in" }),
    // Asked of a school only: a trust's schools are academies, and a trust's own cases follow their rules.
    schoolType: z.enum(["maintained", "academy", "independent"], { error: "Select what kind of school it is" }).optional(),
    organisationName: organisationDetails.name,
    postalAddress: organisationDetails.postalAddress,
    telephone,
    fullName: requiredText("your full name"),
    email: emailAddress,
    username,
    password: newPassword,
  })
  .superRefine((form, ctx) => {
    if (form.organisationKind === "school" && !form.schoolType) {
      ctx.addIssue({ code: "custom", path: ["schoolType"], message: "Select what kind of school it is" });
    }
    const problem = passwordProblem(form.password, {
      fullName: form.fullName,
      username: form.username,
      email: form.email,
      organisationName: form.organisationName,
    });
    if (problem) {
      ctx.addIssue({ code: "custom", path: ["password"], message: problem });
    }
  });
export type RegisterLicence = z.output<typeof registerLicenceSchema>;

const grantableRole = z.enum(["staff", "dpo", "admin", "adviser", "auditor"], { error: "Select a role" });

/** Roles that open sensitive records need the grantor to confirm the person has been trained. */
function requireTrainingForSensitiveRoles(form: { role: string; trainingConfirmed?: string | undefined }, ctx: z.RefinementCtx): void {
  if ((SENSITIVE_ROLES as readonly string[]).includes(form.role) && form.trainingConfirmed !== "yes") {
    ctx.addIssue({
      code: "custom",
      path: ["trainingConfirmed"],
      message: "Confirm they have had data protection training before you give them this role",
    });
  }
}

export const newUserSchema = z
  .object({
    fullName: requiredText("their full name"),
    email: emailAddress,
    username,
    role: grantableRole,
    trainingConfirmed: z.literal("yes").optional(),
    organisationId: z.uuid({ error: "Select the school or trust they work for" }),
  })
  .superRefine(requireTrainingForSensitiveRoles);
export type NewUser = z.output<typeof newUserSchema>;

export const changeRoleSchema = z
  .object({ role: grantableRole, trainingConfirmed: z.literal("yes").optional() })
  .superRefine(requireTrainingForSensitiveRoles);
export type ChangeRole = z.output<typeof changeRoleSchema>;

export const newSchoolSchema = z.object(organisationDetails);
export type NewSchool = z.output<typeof newSchoolSchema>;

export const setPasswordSchema = z.object({ password: newPassword });

export const changeNameSchema = z.object({ fullName: requiredText("your full name") });

export const changeEmailSchema = z.object({ email: emailAddress });

export const erasureRequestSchema = z.object({
  reason: z.string().trim().max(2000, { error: "Reason must be 2,000 characters or fewer" }).optional(),
});
