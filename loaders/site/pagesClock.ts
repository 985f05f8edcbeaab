/**
 * @module The time the pages are built as of: what "the last 30 days" and a failure mode's trend flags are read
 * against, and the time the monitor page says it was generated. The clock, unless `PLUMBLINE_NOW` (an ISO 8601
 * time) pins it, so that two builds of one workspace give the same pages: page tests whose fixtures carry dates
 * of their own, and the screenshots in docs/images. Only the data loaders read it; the workspace's own times
 * (when a trace was ingested, a gate run made) are what they are.
 */
export const NOW_ENV = "PLUMBLINE_NOW";

export function pagesNow(env: Readonly<Record<string, string | undefined>> = process.env, clock = Date.now): number {
  const pinned = env[NOW_ENV];
  if (pinned === undefined || pinned === "") return clock();
  const ms = Date.parse(pinned);
  if (Number.isNaN(ms)) throw new Error(`${NOW_ENV}=${pinned} is not a time: give one like 2026-02-10T12:00:00Z`);
  return ms;
}
