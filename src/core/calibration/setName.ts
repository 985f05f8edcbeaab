/** @module The name of an imported judgment set: its format and the folder or file it came from, as one slug. */

/** A source's name as a slug: `Adversarial-Test` → `adversarial-test`. */
export function slug(source: string): string {
  return source
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `llmbar` + `Adversarial-Test` → `llmbar-adversarial-test`; a name that already starts with the format keeps it. */
export function setName(format: string, source: string): string {
  const s = slug(source);
  if (!s) return format;
  return s === format || s.startsWith(`${format}-`) ? s : `${format}-${s}`;
}
