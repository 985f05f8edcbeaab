/**
 * @module How far annotators agree, per rubric criterion: Krippendorff's alpha across all of them and Cohen's
 * kappa for each pair, then every item they disagree on. The criterion's owner (anyone, when it has none)
 * settles an item; the decision becomes its ground truth, shown beside the ratings.
 */
import {agreementByCriterion, type CriterionAgreement} from "../core/agreement/perCriterion.js";
import type {Annotation} from "../core/schemas/annotation.js";
import type {AnnotationClient} from "./annotationClient.js";
import {pageHref} from "./pageLink.js";
import {el, replace, table} from "./dom.js";

const EXPERT = new Set(["reviewer", "qa_review"]);
const fmt = (x: number | null, reason: string | null) => (x === null ? `undefined (${reason})` : x.toFixed(3));
/** Below this many items a chance-corrected agreement figure is too unstable to read as a measure. */
const MIN_ITEMS = 30;
/** A rating as the rubric speaks of it: a boolean verdict is pass or fail. */
const rating = (value: unknown) => (value === true ? "pass" : value === false ? "fail" : String(value));

export function agreementView(client: AnnotationClient): HTMLElement {
  const who = el("input", {class: "pl-annotator", attrs: {placeholder: "your name", "aria-label": "adjudicator"}});
  who.value =
    new URLSearchParams(location.search).get("annotator") ?? localStorage.getItem("plumbline.annotator") ?? "";
  const body = el("div", {class: "pl-agreement"});
  const status = el("div", {class: "pl-status-line", attrs: {role: "status"}});
  const annotations = new Map(client.state.annotations.map((a) => [a.id, a]));

  const decision = (traceId: string, criterion: string): Annotation | null =>
    [...annotations.values()]
      .filter((a) => a.source === "adjudication" && a.traceId === traceId && a.criterion === criterion)
      .pop() ?? null;

  async function decide(traceId: string, criterion: string, pass: boolean) {
    try {
      const made = await client.adjudicate({traceId, criterion, pass}, who.value.trim());
      annotations.set(made.id, made);
      status.textContent = `Decided ${criterion} on ${traceId}: ${pass ? "pass" : "fail"}`;
      render();
    } catch (error) {
      status.textContent = `Not saved: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  function section(c: CriterionAgreement): HTMLElement {
    const owner = client.state.rubric.criteria.find((x) => x.id === c.criterion)?.owner ?? null;
    const me = who.value.trim();
    const canDecide = !client.readOnly && me !== "" && (owner === null || owner === me);
    return el(
      "section",
      {class: "pl-agreement-criterion", attrs: {"data-criterion": c.criterion}},
      el("h3", null, c.criterion, owner ? el("span", {class: "pl-muted"}, ` · owner ${owner}`) : null),
      el(
        "p",
        null,
        `${c.items} items, ${c.annotators.length} annotator${c.annotators.length === 1 ? "" : "s"}. Krippendorff's alpha (nominal): `,
        el("strong", {class: "pl-alpha"}, fmt(c.alpha.alpha, c.alpha.reason))
      ),
      c.items < MIN_ITEMS
        ? el(
            "p",
            {class: "pl-small-n"},
            `Only ${c.items} item${c.items === 1 ? "" : "s"} labelled by more than one annotator: under ${MIN_ITEMS}, ` +
              "alpha and kappa swing with a single item, so read them as a sign of how labelling is going, not a measure."
          )
        : null,
      c.pairs.length
        ? table(
            {class: "pl-small-table pl-kappa-table"},
            ["Pair", "Items", "Observed agreement", "Cohen's kappa"],
            c.pairs.map((p) => ({
              cells: [
                `${p.a} · ${p.b}`,
                String(p.kappa.n),
                p.kappa.observed === null ? "—" : p.kappa.observed.toFixed(3),
                el(
                  "span",
                  {class: "pl-kappa"},
                  fmt(p.kappa.kappa, p.kappa.reason),
                  p.kappa.n < MIN_ITEMS
                    ? el("span", {class: "pl-muted", title: `fewer than ${MIN_ITEMS} items`}, " (small n)")
                    : null
                )
              ]
            }))
          )
        : null,
      el("div", {class: "pl-label"}, `Disagreements (${c.disagreements.length})`),
      el(
        "ul",
        {class: "pl-disagreements"},
        ...c.disagreements.map((d) => {
          const settled = decision(d.traceId, c.criterion);
          return el(
            "li",
            {class: "pl-disagreement", attrs: {"data-trace": d.traceId}},
            el(
              "a",
              {attrs: {href: pageHref("annotate", `#trace=${encodeURIComponent(d.traceId)}`)}, class: "pl-mono"},
              d.traceId
            ),
            " ",
            ...d.ratings.map((r) => el("span", {class: "pl-chip"}, `${r.annotator}: ${rating(r.value)}`)),
            settled
              ? el(
                  "span",
                  {class: `pl-badge ${settled.pass ? "pl-good" : "pl-bad"}`},
                  `decided ${settled.pass ? "pass" : "fail"} by ${settled.annotator}`
                )
              : null,
            canDecide
              ? el(
                  "button",
                  {class: "pl-link", on: {click: () => void decide(d.traceId, c.criterion, true)}},
                  "decide pass"
                )
              : null,
            canDecide
              ? el(
                  "button",
                  {class: "pl-link", on: {click: () => void decide(d.traceId, c.criterion, false)}},
                  "decide fail"
                )
              : null
          );
        })
      )
    );
  }

  function render() {
    const labels = [...annotations.values()]
      .filter((a) => EXPERT.has(a.source))
      .map((a) => ({
        traceId: a.traceId,
        criterion: a.criterion,
        annotator: a.annotator,
        value: a.pass ?? a.label ?? a.score
      }));
    const results = agreementByCriterion(labels);
    replace(body, ...(results.length ? results.map(section) : [el("p", {class: "pl-muted"}, "No labels yet.")]));
  }
  who.addEventListener("change", () => (localStorage.setItem("plumbline.annotator", who.value.trim()), render()));
  render();
  return el(
    "div",
    null,
    el(
      "div",
      {class: "pl-annotate-bar"},
      // The published site cannot record a decision: no name to ask for.
      client.readOnly ? null : el("label", null, "Adjudicator ", who),
      client.readOnly
        ? el("span", {class: "pl-badge"}, "read-only")
        : el("span", {class: "pl-muted"}, "Only a criterion's owner may decide it, when it has one.")
    ),
    status,
    body
  );
}
