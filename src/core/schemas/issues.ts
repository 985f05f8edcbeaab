/** @module A zod error as the `path: message` lines the CLI, the API and quarantine reports print. */
import type {z} from "zod";

/** One line per issue; an issue about the value as a whole is named `whole`. */
export function issueLines(error: z.ZodError, whole = ""): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || whole}: ${issue.message}`);
}

/** The issues on one line, for a reason that must fit in one field. */
export function issueText(error: z.ZodError, whole = ""): string {
  return issueLines(error, whole).join("; ");
}
