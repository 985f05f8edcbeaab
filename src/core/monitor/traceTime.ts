/**
 * @module Which time a trace is placed at on the monitor: its own start time, else the time Plumbline received it.
 * The one place that choice is made, so the page's note on undated traces and every chart agree.
 */

export type TimeBasis = "start" | "received" | "none";

export interface TraceTimes {
  /** The trace's own start time (epoch ms), from its spans or its source. */
  startTime: number | null;
  /** When Plumbline received or imported the trace (epoch ms). */
  receivedAt: number | null;
}

export function traceTime({startTime, receivedAt}: TraceTimes): {time: number | null; basis: TimeBasis} {
  if (startTime !== null && Number.isFinite(startTime)) return {time: startTime, basis: "start"};
  if (receivedAt !== null && Number.isFinite(receivedAt)) return {time: receivedAt, basis: "received"};
  return {time: null, basis: "none"};
}
