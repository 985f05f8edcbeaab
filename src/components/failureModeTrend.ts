/**
 * @module Failure modes over time on the Clusters page: each mode's traces a day over the 30 days its trend flags
 * are read from, one line a mode, so a rise or a quiet spell is seen before its flag is read.
 */
import type * as PlotModule from "@observablehq/plot";
import type {FailureModeSummary} from "../core/clusters/pageData.js";
import {el} from "./dom.js";

type Plot = typeof PlotModule;

/** At most this many modes are drawn, the largest in the window: more lines than colours tell nothing apart. */
const SHOWN = 10;

export function failureModeTrend(modes: readonly FailureModeSummary[], Plot: Plot, width = 640): HTMLElement {
  const inWindow = modes
    .map((mode) => ({mode, total: (mode.daily ?? []).reduce((sum, d) => sum + d.count, 0)}))
    .filter((m) => m.total > 0)
    .sort((a, b) => b.total - a.total || (a.mode.name < b.mode.name ? -1 : 1));
  const section = el("section", {class: "pl-mode-trend"});
  if (!inWindow.length) {
    section.append(el("p", {class: "pl-muted"}, "No failure mode has a dated trace in the last 30 days."));
    return section;
  }
  const shown = inWindow.slice(0, SHOWN);
  const points = shown.flatMap(({mode}) =>
    mode.daily!.map((d) => ({day: new Date(d.day), count: d.count, mode: mode.name}))
  );
  section.append(
    el(
      "p",
      {class: "pl-muted"},
      inWindow.length > SHOWN
        ? `Traces a day for the ${SHOWN} modes with the most traces in the last 30 days (of ${inWindow.length}).`
        : "Traces a day for each failure mode seen in the last 30 days."
    ),
    // Mode names are the user's: Plot sets legend entries and titles as text.
    Plot.plot({
      width,
      height: 220,
      marginLeft: 44,
      x: {type: "utc", label: "day (UTC)"},
      y: {label: "traces a day", grid: true, tickFormat: "d", nice: true},
      color: {legend: true, label: "failure mode"},
      marks: [
        Plot.ruleY([0]),
        Plot.line(points, {x: "day", y: "count", stroke: "mode", z: "mode", curve: "step"}),
        Plot.dot(
          points.filter((p) => p.count > 0),
          {
            x: "day",
            y: "count",
            fill: "mode",
            r: 2.5,
            title: (p) => `${p.mode}: ${p.count} on ${p.day.toISOString().slice(0, 10)}`
          }
        )
      ]
    })
  );
  return section;
}
