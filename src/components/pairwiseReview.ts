/**
 * @module The Pairwise review page: two experiments' answers to one dataset case side by side, shown as "A" and "B"
 * in a blind order drawn per reviewer and pair (`blindOrder`), so no reviewer can tell which experiment is which.
 * Keyboard first, like the Annotate page: a, b or t picks, e goes to the explanation, Enter saves, j and k move.
 * Below, agreement on the chosen pair of experiments: between reviewers, and of each pairwise judge with them.
 *
 * Inputs and outputs are the candidates' text and untrusted: set as text, never as markup.
 */
import type {Metric} from "../core/calibration/metric.js";
import {blindOrder, type BlindChoice} from "../core/pairwise/blind.js";
import {
  currentChoices,
  experimentPairs,
  pairExperiments,
  reviewAgreement,
  type ExperimentPair,
  type PairwiseChoice,
  type PairwiseVerdict
} from "../core/pairwise/review.js";
import type {ExperimentSide} from "../core/experiments/compare.js";
import {el, replace, table} from "./dom.js";
import type {PairwiseClient} from "./pairwiseClient.js";

export interface PairwiseData {
  experiments: {name: string; dataset: string; datasetVersion: number; side: ExperimentSide}[];
  verdicts: PairwiseVerdict[];
  problems: string[];
}

const REVIEWER_KEY = "plumbline.annotator";
const CHOICE_TEXT: Record<BlindChoice, string> = {A: "A is better", B: "B is better", tie: "tie"};
const share = (m: Metric) => ("value" in m ? `${(m.value * 100).toFixed(0)} %` : "—");
const kappa = (m: Metric) => ("value" in m ? m.value.toFixed(2) : "—");

function select(label: string, names: string[], value: string): HTMLSelectElement {
  const s = el("select", {attrs: {"aria-label": label}}, ...names.map((n) => el("option", {attrs: {value: n}}, n)));
  s.value = value;
  return s;
}

export function pairwiseReview(data: PairwiseData, client: PairwiseClient): HTMLElement {
  const root = el("div", {class: "pl-pairwise"});
  for (const p of data.problems) root.append(el("p", {class: "pl-cal-note"}, p));
  const params = new URLSearchParams(location.search);
  const names = data.experiments.map((e) => e.name);
  if (names.length < 2) {
    root.append(
      el(
        "p",
        {class: "pl-muted pl-pairwise-empty"},
        `${names.length} experiment${names.length === 1 ? "" : "s"} in this workspace; a pairwise review needs two on the same dataset.`
      )
    );
    return root;
  }
  // Newest first: the latest and the one before it on the same dataset, unless the address names two.
  const latest = data.experiments[0]!;
  const before =
    data.experiments.slice(1).find((e) => e.dataset === latest.dataset && e.datasetVersion === latest.datasetVersion) ??
    data.experiments[1]!;
  const first = select("First experiment", names, params.get("a") ?? before.name);
  const second = select("Second experiment", names, params.get("b") ?? latest.name);
  let reviewer = params.get("annotator") ?? localStorage.getItem(REVIEWER_KEY) ?? "";
  const who = el("input", {class: "pl-annotator", attrs: {placeholder: "your name", "aria-label": "reviewer"}});
  who.value = reviewer;
  const status = el("div", {class: "pl-status-line", attrs: {role: "status"}});
  const say = (text: string, bad = false) => {
    status.textContent = text;
    status.classList.toggle("pl-bad-text", bad);
  };
  const list = el("ol", {class: "pl-pair-list"});
  const view = el("div", {class: "pl-pair-view"});
  const agreement = el("div", {class: "pl-pair-agreement"});
  root.append(
    el("div", {class: "pl-pair-controls"}, first, " and ", second, " · reviewer ", who),
    el(
      "p",
      {class: "pl-muted"},
      "a or b picks the better answer, t a tie; e writes why; Enter saves; j and k move. A and B are in an order of your own, so you cannot tell which experiment wrote which."
    ),
    status,
    el("div", {class: "pl-pair-layout"}, list, view),
    el("h2", null, "Agreement"),
    agreement
  );

  let pairs: ExperimentPair[] = [];
  let experiments: [string, string] = pairExperiments(first.value, second.value);
  let position = 0;
  let pending: BlindChoice | null = null;
  const explanation = el("textarea", {
    class: "pl-pair-explanation",
    attrs: {rows: "3", placeholder: "why (e focuses this; Enter saves)", "aria-label": "explanation"}
  });

  const mine = () =>
    new Map(
      currentChoices(client.choices)
        .filter(
          (c) => c.reviewer === reviewer && c.experiments[0] === experiments[0] && c.experiments[1] === experiments[1]
        )
        .map((c) => [c.pairId, c])
    );

  const renderList = () => {
    const chosen = mine();
    replace(
      list,
      ...pairs.map((p, i) => {
        const c = chosen.get(p.pairId);
        return el(
          "li",
          {
            class: `pl-pair-item${i === position ? " pl-pair-current" : ""}`,
            attrs: {"data-pair": p.pairId, "data-case": p.caseId, ...(c ? {"data-chosen": c.shown} : {})},
            on: {click: () => go(i)}
          },
          p.caseId,
          c ? ` · ${CHOICE_TEXT[c.shown]}` : ""
        );
      })
    );
  };

  const renderPair = () => {
    const pair = pairs[position];
    if (!pair) return replace(view, el("p", {class: "pl-muted"}, "These two experiments have no case both answered."));
    const order = blindOrder(reviewer || "(anonymous)", pair.pairId);
    const [a, b] = order === "1-first" ? [pair.output1, pair.output2] : [pair.output2, pair.output1];
    const saved = mine().get(pair.pairId);
    const picked = pending ?? saved?.shown ?? null;
    if (!pending) explanation.value = saved?.explanation ?? "";
    const side = (letter: BlindChoice, text: string) =>
      el(
        "div",
        {class: `pl-pair-side${picked === letter ? " pl-pair-picked" : ""}`, attrs: {"data-side": letter}},
        el("h3", null, letter),
        el("div", {class: "pl-pair-text"}, text)
      );
    const button = (choice: BlindChoice, key: string) =>
      el(
        "button",
        {
          class: `pl-pair-choice${picked === choice ? " pl-pair-picked" : ""}`,
          attrs: {"data-choice": choice, type: "button", ...(client.readOnly ? {disabled: ""} : {})},
          on: {click: () => pick(choice)}
        },
        `${CHOICE_TEXT[choice]} (${key})`
      );
    replace(
      view,
      el("p", {class: "pl-muted"}, `${position + 1} / ${pairs.length} · case ${pair.caseId}`),
      el("div", {class: "pl-pair-input"}, el("h3", null, "Input"), el("div", {class: "pl-pair-text"}, pair.input)),
      el("div", {class: "pl-pair-sides"}, side("A", a), side("B", b)),
      el("div", {class: "pl-pair-buttons"}, button("A", "a"), button("B", "b"), button("tie", "t")),
      explanation,
      el(
        "button",
        {
          class: "pl-pair-save",
          attrs: {type: "button", ...(client.readOnly ? {disabled: ""} : {})},
          on: {click: () => void save()}
        },
        "Save (Enter)"
      )
    );
  };

  const renderAgreement = () => {
    const ids = new Set(pairs.map((p) => p.pairId));
    const choices = client.choices.filter((c) => ids.has(c.pairId));
    const a = reviewAgreement(
      choices,
      data.verdicts.filter((v) => ids.has(v.pairId))
    );
    const counts = {"1": 0, "2": 0, tie: 0};
    for (const c of currentChoices(choices)) counts[c.preference]++;
    replace(
      agreement,
      el(
        "p",
        null,
        `${a.pairs} of ${pairs.length} pairs have a reviewer's choice (${a.reviewers.join(", ") || "none yet"}): ` +
          `${experiments[0]} preferred ${counts["1"]} times, ${experiments[1]} ${counts["2"]}, tie ${counts.tie}.`
      ),
      a.humans.annotatorPairs.length
        ? table(
            {class: "pl-pair-humans"},
            ["reviewers", "pairs both chose on", "agreement", "Cohen's kappa"],
            a.humans.annotatorPairs.map((p) => ({
              props: {attrs: {"data-reviewers": `${p.a}|${p.b}`}},
              cells: [`${p.a} and ${p.b}`, p.agreement.n, share(p.agreement.accuracy), kappa(p.agreement.kappa)]
            }))
          )
        : el("p", {class: "pl-muted"}, "Agreement between reviewers needs two reviewers on the same pairs."),
      a.judges.length
        ? table(
            {class: "pl-pair-judges"},
            [
              "pairwise judge",
              "pairs",
              "orders agree",
              "positional kappa",
              "output 1 first vs reviewers",
              "output 2 first vs reviewers"
            ],
            a.judges.map(({judgeId, summary}) => {
              const order = summary.stats.orders[0];
              const vs = (suffix: string) => summary.stats.judges.find((j) => j.rater === `${judgeId}${suffix}`);
              const cell = (j: ReturnType<typeof vs>) =>
                j ? `${share(j.agreement.accuracy)} of ${j.agreement.n}` : "—";
              return {
                props: {attrs: {"data-judge": judgeId}},
                cells: [
                  judgeId,
                  summary.pairs,
                  order ? `${share(order.agreement)} of ${order.n}` : "—",
                  order ? kappa(order.kappa) : "—",
                  cell(vs("")),
                  cell(vs("/swapped"))
                ]
              };
            })
          )
        : el(
            "p",
            {class: "pl-muted"},
            "No pairwise judge has answered on these experiments: run `plumbline pairwise judge`."
          )
    );
  };

  const render = () => (renderList(), renderPair(), renderAgreement());

  const load = () => {
    const x = data.experiments.find((e) => e.name === first.value)!;
    const y = data.experiments.find((e) => e.name === second.value)!;
    experiments = pairExperiments(x.name, y.name);
    position = 0;
    pending = null;
    if (x.name === y.name || x.dataset !== y.dataset || x.datasetVersion !== y.datasetVersion) {
      pairs = [];
      say(
        x.name === y.name
          ? "Choose two different experiments."
          : `${x.name} ran ${x.dataset}@${x.datasetVersion} and ${y.name} ran ${y.dataset}@${y.datasetVersion}: pairs need the same dataset version.`,
        true
      );
    } else {
      pairs = experimentPairs(x.side, y.side);
      say(
        client.readOnly
          ? "Read-only: this published site has no server; review with `plumbline start`."
          : reviewer
            ? ""
            : "Type your name above first."
      );
    }
    render();
  };

  function go(index: number) {
    if (!pairs.length) return;
    position = Math.max(0, Math.min(pairs.length - 1, index));
    pending = null;
    renderList();
    renderPair();
  }

  function pick(choice: BlindChoice) {
    if (client.readOnly || !pairs[position]) return;
    pending = choice;
    renderPair();
    say(`Picked ${CHOICE_TEXT[choice]}; Enter saves.`);
  }

  let saving: Promise<void> = Promise.resolve();
  function save(): Promise<void> {
    const pair = pairs[position];
    if (client.readOnly || !pair) return saving;
    if (!reviewer) return (say("Type your name above first.", true), saving);
    const choice = pending ?? mine().get(pair.pairId)?.shown ?? null;
    if (!choice) return (say("Pick a, b or t first.", true), saving);
    const text = explanation.value.trim();
    saving = saving.then(async () => {
      try {
        await client.choose({
          experiments,
          caseId: pair.caseId,
          reviewer,
          order: blindOrder(reviewer, pair.pairId),
          choice,
          explanation: text || null
        });
        pending = null;
        say(`Saved: ${CHOICE_TEXT[choice]} on ${pair.caseId}.`);
        render();
      } catch (error) {
        say(`Not saved: ${(error as Error).message}`, true);
      }
    });
    return saving;
  }

  function onKey(event: KeyboardEvent) {
    if (!root.isConnected) return document.removeEventListener("keydown", onKey);
    const target = event.target as HTMLElement | null;
    if (target === explanation && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      void save();
      return;
    }
    if (target && (target.closest("input, textarea, select") || target.isContentEditable)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const keys: Record<string, () => void> = {
      a: () => pick("A"),
      b: () => pick("B"),
      t: () => pick("tie"),
      Enter: () => void save(),
      e: () => explanation.focus(),
      j: () => go(position + 1),
      ArrowRight: () => go(position + 1),
      k: () => go(position - 1),
      ArrowLeft: () => go(position - 1)
    };
    if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]!();
    }
  }

  who.addEventListener("change", () => {
    reviewer = who.value.trim();
    localStorage.setItem(REVIEWER_KEY, reviewer);
    load();
  });
  first.addEventListener("change", load);
  second.addEventListener("change", load);
  document.addEventListener("keydown", onKey);
  load();
  return root;
}
