/**
 * @module Error text → a template that names the kind of error, not its instance: ids, numbers, quoted values,
 * paths and URLs become placeholders, so "flight HAT030 not available on date 2024-05-13" and "flight HAT251 not
 * available on date 2024-05-20" share one template and one signature.
 */

const RULES: [RegExp, string][] = [
  // Quoted values first: whatever is inside quotes is data, whatever its shape.
  [/"[^"\n]{0,200}"|'[^'\n]{0,200}'|`[^`\n]{0,200}`/g, "<str>"],
  [/\bhttps?:\/\/\S+/gi, "<url>"],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<id>"],
  [/\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g, "<date>"],
  [/(?:\/[\w.-]+){2,}\/?/g, "<path>"],
  [/\b0x[0-9a-f]+\b/gi, "<id>"],
  // A word that mixes letters with digits (HAT030, call_To6jj, user_42) is an identifier.
  [/\b(?=[\w-]*[a-z_])(?=[\w-]*\d)[\w-]+\b/gi, "<id>"],
  [/[-+]?\b\d+(?:[.,]\d+)*(?:e[-+]?\d+)?\b/gi, "<n>"]
];

/** The template of one error text; at most `maxLength` characters, whitespace collapsed. */
export function errorTemplate(text: string, maxLength = 160): string {
  let out = text.trim();
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  out = out
    .replace(/\s+/g, " ")
    .replace(/(<(?:n|id)>)(?:[ ,]+\1)+/g, "$1")
    .trim();
  return out.length > maxLength ? `${out.slice(0, maxLength - 1)}…` : out;
}
