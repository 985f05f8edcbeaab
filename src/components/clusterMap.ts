/**
 * @module The semantic map: each clustered trace a dot at its UMAP position, coloured by semantic cluster, with
 * a rectangle brush whose selection is reported in data coordinates. Trace ids reach Plot's tips as text only.
 */
import * as Plot from "@observablehq/plot";
import * as d3 from "d3";
import {pointsIn, type ClusterPoint} from "../core/clusters/pageData.js";
import {el} from "./dom.js";

const MARGIN = 24;
const MIN_WIDTH = 240;

type PlotSvg = SVGSVGElement & {
  scale(name: "x" | "y"): {invert(value: number): number};
  scale(name: "color"): {domain: string[]; range: string[]};
};

export interface ClusterMap {
  node: HTMLElement;
  /** Dims every dot but these traces' (null shows all). */
  highlight(traceIds: ReadonlySet<string> | null): void;
}

export function clusterMap(
  points: readonly ClusterPoint[],
  labels: ReadonlyMap<string, string>,
  onBrush: (selected: ClusterPoint[] | null) => void,
  width = 640,
  height = 420,
  topics: ReadonlyMap<string, readonly string[]> = new Map()
): ClusterMap {
  // Framework's width can be 0 while the page lays out; a map narrower than its margins would give the brush a
  // negative extent, which Chromium reports as a <rect> of negative width.
  width = Math.max(MIN_WIDTH, Math.round(width));
  const placed = points.filter((p) => p.x !== null && p.y !== null && p.semanticId !== null);
  if (placed.length === 0)
    return {node: el("p", {class: "pl-muted"}, "No semantic clusters yet: run `plumbline cluster`."), highlight() {}};
  const centres = d3
    .rollups(
      placed,
      (members) => ({x: d3.mean(members, (p) => p.x!)!, y: d3.mean(members, (p) => p.y!)!}),
      (p) => p.semanticId!
    )
    .map(([id, centre]) => ({id, ...centre, label: labels.get(id) ?? id}))
    .sort((a, b) => compareLabels(a.label, b.label));
  // One colour per semantic cluster, in label order, shared by the dots and the legend.
  const color = {type: "categorical" as const, scheme: "tableau10" as const, domain: centres.map((c) => c.id)};
  const plot = Plot.plot({
    width,
    height,
    margin: MARGIN,
    x: {axis: null},
    y: {axis: null},
    color,
    marks: [
      Plot.dot(placed, {
        x: "x",
        y: "y",
        fill: "semanticId",
        r: 3.2,
        fillOpacity: 0.75,
        title: (p: ClusterPoint) => p.traceId
      }),
      Plot.text(centres, {
        x: "x",
        y: "y",
        text: "label",
        fontWeight: "bold",
        fontSize: 12,
        stroke: "white",
        strokeWidth: 3,
        fill: "#1f2937"
      })
    ]
  }) as unknown as PlotSvg;
  const x = plot.scale("x");
  const y = plot.scale("y");
  const brush = d3
    .brush<unknown>()
    // The brush reaches past the outermost dots, which Plot places exactly on the margin line.
    .extent([
      [MARGIN / 3, MARGIN / 3],
      [width - MARGIN / 3, height - MARGIN / 3]
    ])
    .on("end", (event: d3.D3BrushEvent<unknown>) => {
      const selection = event.selection as [[number, number], [number, number]] | null;
      if (!selection) return onBrush(null);
      const [[px0, py0], [px1, py1]] = selection;
      onBrush(
        pointsIn(placed, [
          [x.invert(px0), y.invert(py0)],
          [x.invert(px1), y.invert(py1)]
        ])
      );
    });
  d3.select(plot).append("g").attr("class", "pl-brush").call(brush);
  // Plot draws one circle per placed point, in order, in the first mark's group.
  const circles = d3.select(plot).select("g[aria-label=dot]").selectAll<SVGCircleElement, unknown>("circle");
  return {
    node: el("div", {class: "pl-map"}, plot, legend(plot, labels, topics)),
    highlight(traceIds) {
      circles.attr("fill-opacity", (_, i) => (traceIds === null || traceIds.has(placed[i]!.traceId) ? 0.75 : 0.08));
    }
  };
}

/** S2 before S10. */
function compareLabels(a: string, b: string): number {
  return a.localeCompare(b, "en", {numeric: true});
}

/** A legend entry: the cluster's label and its two leading terms ("S3 refund · order"). */
function mapLegendLabel(
  id: string,
  labels: ReadonlyMap<string, string>,
  topics: ReadonlyMap<string, readonly string[]>
): string {
  const terms = topics.get(id)?.slice(0, 2) ?? [];
  return [labels.get(id) ?? id, terms.join(" · ")].filter(Boolean).join(" ");
}

/** Swatches of the map's colours, in the plot's own scale, each named by its cluster's label and leading terms. */
function legend(
  plot: PlotSvg,
  labels: ReadonlyMap<string, string>,
  topics: ReadonlyMap<string, readonly string[]>
): HTMLElement {
  const {domain, range} = plot.scale("color");
  return el(
    "div",
    {class: "pl-map-legend", attrs: {"aria-label": "semantic clusters"}},
    ...domain.map((id, i) =>
      el(
        "span",
        {class: "pl-legend-item"},
        el("span", {class: "pl-swatch", style: `background:${range[i % range.length]}`}),
        mapLegendLabel(id, labels, topics)
      )
    )
  );
}
