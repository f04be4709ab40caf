import { z } from "zod";

const ticked = z.literal("yes", { error: "Select the box, or leave it empty" }).optional();

/** The email choices form: a box for each kind (absent when not ticked) and the fingerprint of the words it showed. */
export const emailChoicesSchema = z.object({
  "product-updates": ticked,
  surveys: ticked,
  shown: z.string().max(64).optional(),
});

/** The unsubscribe button's form carries nothing but its CSRF token. */
export const unsubscribeSchema = z.object({});
