/**
 * @module Reading a JSON Lines text line by line. The workspace's append-only files (failure-mode events, review
 * outcomes, gate runs) and dataset files all report a bad line by its number and go on with the rest; what each
 * then checks (schema, version) and how it words the problem is its own.
 */

/** A non-blank line, numbered from 1: its parsed value, or the JSON parser's message when it is not JSON. */
export type JsonLine = {line: number; value: unknown} | {line: number; error: string};

export function* jsonLines(text: string): Generator<JsonLine> {
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    if (!raw.trim()) continue;
    try {
      yield {line: i + 1, value: JSON.parse(raw)};
    } catch (error) {
      yield {line: i + 1, error: (error as Error).message};
    }
  }
}
