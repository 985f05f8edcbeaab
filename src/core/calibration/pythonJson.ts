/**
 * @module JSON as Python's `json.dump` writes it: bare `NaN`, `Infinity` and `-Infinity` outside strings, which
 * `JSON.parse` rejects. Each is read as null (a missing value) and counted, so a reader can say how many it met.
 */

export interface PythonJson {
  value: unknown;
  /** How many NaN or ±Infinity tokens were read as null. */
  nonFinite: number;
}

const TOKENS = ["-Infinity", "Infinity", "NaN"] as const;

export function parsePythonJson(text: string): PythonJson {
  // The common case, standard JSON, pays for one parse only.
  try {
    return {value: JSON.parse(text), nonFinite: 0};
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
  }
  let out = "";
  let nonFinite = 0;
  let i = 0;
  let from = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // Skip the string, escapes included: a NaN inside one is text.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    const token = c === "N" || c === "I" || c === "-" ? TOKENS.find((t) => text.startsWith(t, i)) : undefined;
    if (token) {
      out += `${text.slice(from, i)}null`;
      nonFinite++;
      i += token.length;
      from = i;
      continue;
    }
    i++;
  }
  out += text.slice(from);
  return {value: JSON.parse(out), nonFinite};
}
