import { z } from "zod";
import { requiredText } from "../platform/forms.ts";

export const removeAttachmentSchema = z.object({ removalReason: requiredText("why you are removing the file", { max: 2000 }) });
