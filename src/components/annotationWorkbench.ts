/**
 * @module The annotation page: the queue on the left, the whole trace in the middle (the explorer's own trace
 * view), the rubric on the right. Keyboard first: p / f answer the focused criterion (scoped to the selected text
 * when there is a selection), j / k move through the queue, u undoes the last change, 1–9 focus a criterion,
 * m and e jump to failure mode and explanation. Drafts an evaluator suggested sit in their own panel; y accepts one
 * as the annotator's label, s focuses the severity.
 */
import type {Annotation, Severity} from "../core/schemas/annotation.js";
import type {QueueItem} from "../core/schemas/queue.js";
import type {Criterion} from "../core/schemas/rubric.js";
import {queueProgress} from "../core/queue/progress.js";
import {orderBySeverity} from "../core/queue/severityOrder.js";
import {severityByTrace} from "../core/annotations/severity.js";
import type {AnnotationClient} from "./annotationClient.js";
import type {DetailReader} from "./detailReader.js";
import {el, replace} from "./dom.js";
import type {DraftSuggestion} from "../core/schemas/draft.js";
import {acceptedLabelFields} from "../core/annotations/draftSuggestions.js";
import {draftPanel, nextDraft, severityPicker} from "./draftPanel.js";
import {queuePanel} from "./queuePanel.js";
import {keepTyping, rubricForm} from "./rubricForm.js";
import {markLabelledSpans, markTextRanges, selectedSpanScope, selectedTextScope} from "./textScope.js";
import type {TraceList} from "./traceList.js";
import {traceView, type DetailState} from "./traceView.js";

type Change =
  | {op: "create"; after: Annotation}
  | {op: "edit"; before: Annotation; after: Annotation}
  | {op: "delete"; before: Annotation};

const ANNOTATOR_KEY = "plumbline.annotator";

function scopeText(a: Annotation): string {
  switch (a.scope.kind) {
    case "text":
      return `“${a.scope.quote}” (message ${a.scope.messageIndex + 1})`;
    case "span":
      return `span ${a.scope.spanId}`;
    case "session":
      return `session ${a.scope.sessionId}`;
    case "trace":
      return "whole trace";
  }
}

export function annotationWorkbench(
  list: TraceList,
  details: DetailReader,
  client: AnnotationClient,
  drafts: readonly DraftSuggestion[] = []
): HTMLElement {
  const params = new URLSearchParams(location.search);
  const {rubric} = client.state;
  const annotations = new Map(client.state.annotations.map((a) => [a.id, a]));
  let failureModes = client.state.failureModes;
  let annotator = params.get("annotator") ?? localStorage.getItem(ANNOTATOR_KEY) ?? "";
  let queueId = params.get("queue") ?? client.state.queues[0]?.id ?? "";
  let focused = rubric.criteria[0]!.id;
  let position = 0;
  let detail: DetailState = {state: "loading"};
  let request = 0;
  const undo: Change[] = [];

  const status = el("div", {class: "pl-status-line", attrs: {role: "status"}});
  const say = (text: string, bad = false) => {
    status.textContent = text;
    status.classList.toggle("pl-bad-text", bad);
  };
  const who = el("input", {class: "pl-annotator", attrs: {placeholder: "your name", "aria-label": "annotator"}});
  who.value = annotator;
  const queueSelect = el(
    "select",
    {class: "pl-queue-select", attrs: {"aria-label": "queue"}},
    ...client.state.queues.map((q) => el("option", {attrs: {value: q.id}}, `${q.name} (${q.items.length})`)),
    el("option", {attrs: {value: ""}}, `All traces (${list.length})`)
  );
  queueSelect.value = queueId;
  const viewPane = el("div", {class: "pl-pane pl-detail pl-annotate-trace"});
  // Switching between the conversation and the span tree rebuilds the view: mark what labels cover again.
  viewPane.addEventListener("click", (event) => {
    if ((event.target as Element | null)?.closest(".pl-tab")) markLabelledRanges();
  });
  const formPane = el("div", {class: "pl-pane pl-annotate-form"});
  const panel = queuePanel({select: (i) => go(i), bulkPass: (ids) => void bulkPass(ids)});

  const queue = () => client.state.queues.find((q) => q.id === queueId) ?? null;
  // A queue is reviewed worst severity first, in the order it had when opened: a label given while reviewing must
  // not move the trace under the reviewer's cursor.
  const ordered = new Map<string, QueueItem[]>();
  const queueItems = (q: NonNullable<ReturnType<typeof queue>>) => {
    let order = ordered.get(q.id);
    if (!order) ordered.set(q.id, (order = orderBySeverity(q.items, severityByTrace(all()))));
    return order;
  };
  const items = (): QueueItem[] =>
    (queue() ? queueItems(queue()!) : null) ??
    Array.from({length: list.length}, (_, i) => ({
      traceId: list.traceId[i]!,
      score: 0,
      random: false,
      clusterWeight: 1,
      contributions: []
    }));
  const traceId = () => items()[position]?.traceId ?? null;
  const all = () => [...annotations.values()];
  const mineOn = (trace: string) =>
    new Map(
      all()
        .filter((a) => a.traceId === trace && a.annotator === annotator && a.scope.kind === "trace")
        .map((a) => [a.criterion, a])
    );
  const doneCriterion = () => queue()?.criterion ?? "overall";
  const doneSet = () =>
    new Set(
      all()
        .filter((a) => a.annotator === annotator && a.criterion === doneCriterion())
        .map((a) => a.traceId)
    );

  function renderSide() {
    const id = traceId();
    const list_ = items();
    const q = queue();
    const done = doneSet();
    const progress = q
      ? queueProgress(q, all())
          .annotators.map((p) => `${p.annotator}: ${p.done} done, ${p.remaining} to go`)
          .join(" · ")
      : `${list_.filter((i) => done.has(i.traceId)).length} of ${list_.length} labelled by ${annotator || "you"}`;
    panel.update({
      items: list_,
      current: position,
      done,
      readOnly: client.readOnly || !annotator,
      progress: `${position + 1} / ${list_.length}${q ? ` · needs ${q.annotatorsPerTrace} annotator${q.annotatorsPerTrace === 1 ? "" : "s"} each` : ""} · ${progress}`
    });
    if (id === null) return replace(formPane, el("p", {class: "pl-muted"}, "This queue is empty."));
    const item = list_[position]!;
    const labels = all().filter((a) => a.traceId === id);
    const carry = keepTyping(formPane);
    replace(
      formPane,
      client.readOnly
        ? el(
            "p",
            {class: "pl-readonly"},
            "Read-only: this published site shows the labels as they were when it was built. Annotate with `plumbline start`."
          )
        : null,
      !annotator && !client.readOnly
        ? el("p", {class: "pl-bad-text"}, "Type your name above to start labelling.")
        : null,
      item.contributions.length
        ? el(
            "div",
            {class: "pl-why"},
            el("div", {class: "pl-label"}, `Why this trace (priority ${item.score.toFixed(1)})`),
            el(
              "ul",
              null,
              ...item.contributions.map((c) =>
                el("li", null, `${c.reason} `, el("span", {class: "pl-muted"}, `+${c.points.toFixed(1)}`))
              ),
              item.clusterWeight > 1
                ? el("li", {class: "pl-muted"}, `× ${item.clusterWeight.toFixed(2)} for the size of its cluster`)
                : null
            )
          )
        : item.random
          ? el("div", {class: "pl-why pl-muted"}, "Drawn at random, as a check on what the signals miss.")
          : null,
      draftPanel(draftState(id), {accept: (d) => void acceptDraft(d)}),
      // The published site has no editor: a form whose every control is disabled only hides the labels below it.
      client.readOnly
        ? null
        : rubricForm(
            {rubric, traceId: id, focused, mine: mineOn(id), failureModes, readOnly: client.readOnly || !annotator},
            {
              focus: (criterion) => ((focused = criterion), renderSide()),
              answer: (criterion, answer) => void answerCriterion(criterion, answer),
              details: (fields) => void saveDetails(fields)
            }
          ),
      client.readOnly
        ? null
        : severityPicker(
            mineOn(id).get(focused)?.severity ?? (pendingDetails.severity as Severity | undefined) ?? null,
            client.readOnly || !annotator,
            {change: (severity) => void saveDetails({severity})},
            usualSeverity(mineOn(id).get(focused)?.failureMode ?? null)
          ),
      el("div", {class: "pl-label"}, `Labels on this trace (${labels.length})`),
      el(
        "ul",
        {class: "pl-labels"},
        ...labels.map((a) =>
          el(
            "li",
            {class: "pl-label-item", attrs: {"data-id": a.id}},
            el(
              "span",
              {class: `pl-badge ${a.pass === false ? "pl-bad" : a.pass === true ? "pl-good" : ""}`},
              a.pass === null ? (a.label ?? (a.score === null ? "—" : a.score.toFixed(2))) : a.pass ? "pass" : "fail"
            ),
            ` ${a.criterion} · ${a.annotator} · ${scopeText(a)}`,
            a.failureMode ? el("span", {class: "pl-chip"}, a.failureMode) : null,
            a.severity ? el("span", {class: "pl-chip pl-severity-chip"}, a.severity) : null,
            a.acceptedFrom
              ? el("span", {class: "pl-muted pl-accepted-from"}, ` accepted from ${a.acceptedFrom.evaluatorId}'s draft`)
              : null,
            a.explanation ? el("div", {class: "pl-muted"}, a.explanation) : null,
            !client.readOnly && a.annotator === annotator
              ? el("button", {class: "pl-link", on: {click: () => void removeLabel(a)}}, "delete")
              : null
          )
        )
      ),
      status
    );
    carry();
    markLabelledRanges();
  }

  function markLabelledRanges() {
    const id = traceId();
    const labels = all().filter((a) => a.traceId === id);
    markTextRanges(
      viewPane,
      labels.flatMap((a) => (a.scope.kind === "text" ? [{scope: a.scope, failing: a.pass === false}] : []))
    );
    markLabelledSpans(
      viewPane,
      labels.flatMap((a) => (a.scope.kind === "span" ? [{spanId: a.scope.spanId, failing: a.pass === false}] : []))
    );
  }

  async function showTrace() {
    const id = traceId();
    if (id === null) return replace(viewPane, el("p", {class: "pl-muted pl-placeholder"}, "Nothing to annotate here."));
    history.replaceState(null, "", `${location.pathname}${location.search}#trace=${encodeURIComponent(id)}`);
    const i = list.indexOf(id);
    if (i < 0) return replace(viewPane, el("p", {class: "pl-bad-text"}, `No trace with id ${id} in this workspace.`));
    const mine = ++request;
    detail = {state: "loading"};
    replace(viewPane, traceView(list.row(i), detail));
    try {
      const d = await details.get(id);
      detail = d ? {state: "ready", detail: d} : {state: "missing"};
    } catch (error) {
      detail = {state: "error", error};
    }
    if (mine === request) {
      replace(viewPane, traceView(list.row(i), detail));
      markLabelledRanges();
    }
  }

  function go(next: number) {
    const count = items().length;
    if (!count) return;
    position = Math.max(0, Math.min(count - 1, next));
    renderSide();
    void showTrace();
  }

  // Writes run one after another, so an undo pressed while a label is still being saved undoes that label.
  let writing: Promise<void> = Promise.resolve();
  function write(change: () => Promise<Change>, record = true): Promise<void> {
    if (client.readOnly)
      return Promise.resolve(say("This published site is read-only; annotate with `plumbline start`.", true));
    if (!annotator) return Promise.resolve(say("Type your name above first.", true));
    say("Saving…");
    return (writing = writing.then(() => apply(change, record)));
  }

  async function apply(change: () => Promise<Change>, record: boolean) {
    try {
      const done = await change();
      if (done.op === "delete") annotations.delete(done.before.id);
      else annotations.set(done.after.id, done.after);
      if (record) undo.push(done);
      failureModes = mergeModes(failureModes, done.op === "delete" ? null : done.after.failureMode);
      say(
        done.op === "create"
          ? `Saved: ${done.after.criterion} ${describe(done.after)}`
          : done.op === "edit"
            ? `Updated ${done.after.criterion}`
            : "Deleted"
      );
      renderSide();
    } catch (error) {
      say(`Not saved: ${error instanceof Error ? error.message : String(error)}`, true);
    }
  }

  function answerCriterion(
    criterion: Criterion,
    answer: {pass?: boolean | null; label?: string | null; score?: number | null}
  ) {
    const id = traceId();
    if (id === null) return;
    const root = viewPane;
    const scope =
      selectedTextScope(root, (m) => (detail.state === "ready" ? (detail.detail.messages[m]?.spanId ?? null) : null)) ??
      selectedSpanScope(root);
    const existing = scope ? undefined : mineOn(id).get(criterion.id);
    focused = criterion.id;
    return write(async () => {
      if (existing) return {op: "edit", before: existing, after: await client.edit(existing.id, answer, annotator)};
      const row = list.row(list.indexOf(id));
      const draft = pendingDetails;
      pendingDetails = {};
      const after = await client.create({
        traceId: id,
        criterion: criterion.id,
        annotator,
        source: "reviewer",
        ...answer,
        ...draft,
        scope: scope ?? {kind: "trace"},
        metadata: {model: row?.model ?? null, promptVersion: row?.promptVersion ?? null, productArea: null}
      });
      if (scope?.kind === "text") getSelection()?.removeAllRanges();
      return {op: "create", after};
    });
  }

  // Details typed before the verdict travel with it; typed after, they edit the label.
  let pendingDetails: Record<string, unknown> = {};
  function saveDetails(fields: Record<string, unknown>) {
    const id = traceId();
    if (id === null) return;
    const existing = mineOn(id).get(focused);
    if (!existing) {
      pendingDetails = {...pendingDetails, ...fields};
      return say("Kept for the next verdict on this criterion.");
    }
    return write(async () => ({
      op: "edit",
      before: existing,
      after: await client.edit(existing.id, fields, annotator)
    }));
  }

  const usualSeverity = (failureMode: string | null) => {
    const severity = rubric.failureModes.find((m) => m.name === failureMode)?.severity;
    return failureMode && severity ? {failureMode, severity} : null;
  };
  const draftsOn = (trace: string) => drafts.filter((d) => d.traceId === trace);
  const draftState = (trace: string) => ({
    drafts: draftsOn(trace),
    mine: all().filter((a) => a.traceId === trace && a.annotator === annotator),
    readOnly: client.readOnly || !annotator
  });

  // Accepting a draft gives (or replaces) the annotator's trace-wide answer on its criterion, naming the draft.
  function acceptDraft(d: DraftSuggestion) {
    const fields = acceptedLabelFields(d);
    const existing = mineOn(d.traceId).get(d.criterion);
    focused = rubric.criteria.some((c) => c.id === d.criterion) ? d.criterion : focused;
    return write(async () => {
      if (existing) return {op: "edit", before: existing, after: await client.edit(existing.id, fields, annotator)};
      const row = list.row(list.indexOf(d.traceId));
      const after = await client.create({
        traceId: d.traceId,
        criterion: d.criterion,
        annotator,
        source: "reviewer",
        ...fields,
        metadata: {model: row?.model ?? null, promptVersion: row?.promptVersion ?? null, productArea: null}
      });
      return {op: "create", after};
    });
  }

  function removeLabel(a: Annotation) {
    return write(async () => (await client.remove(a.id, annotator), {op: "delete", before: a}));
  }

  async function bulkPass(traceIds: string[]) {
    const overall = rubric.criteria.find((c) => c.id === doneCriterion());
    if (!overall) return;
    for (const id of traceIds) {
      await write(async () => ({
        op: "create",
        after: await client.create({traceId: id, criterion: overall.id, annotator, source: "reviewer", pass: true})
      }));
    }
    say(`Labelled ${traceIds.length} shown traces as pass.`);
  }

  function undoLast() {
    writing = writing.then(async () => {
      const last = undo.pop();
      if (!last) return say("Nothing to undo.");
      await apply(async () => {
        switch (last.op) {
          case "create":
            await client.remove(last.after.id, annotator);
            return {op: "delete", before: last.after};
          case "edit": {
            const {pass, score, label, failureMode, explanation, correctedOutput} = last.before;
            const {severity = null, acceptedFrom = null} = last.before;
            return {
              op: "edit",
              before: last.after,
              after: await client.edit(
                last.before.id,
                {pass, score, label, failureMode, explanation, correctedOutput, severity, acceptedFrom},
                annotator
              )
            };
          }
          case "delete": {
            const {version: _v, id: _i, createdAt: _c, ...fields} = last.before;
            return {op: "create", after: await client.create(fields)};
          }
        }
      }, false);
      say(`Undone: ${last.op}`);
    });
    return writing;
  }

  function onKey(event: KeyboardEvent) {
    if (!root.isConnected) return document.removeEventListener("keydown", onKey);
    const target = event.target as HTMLElement | null;
    if (target && (target.closest("input, textarea, select") || target.isContentEditable)) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) {
      if ((event.ctrlKey || event.metaKey) && event.key === "z") (event.preventDefault(), void undoLast());
      return;
    }
    const criterion = rubric.criteria.find((c) => c.id === focused)!;
    const keys: Record<string, () => void> = {
      p: () => criterion.kind === "boolean" && void answerCriterion(criterion, {pass: true}),
      f: () => criterion.kind === "boolean" && void answerCriterion(criterion, {pass: false}),
      j: () => go(position + 1),
      ArrowRight: () => go(position + 1),
      k: () => go(position - 1),
      ArrowLeft: () => go(position - 1),
      u: () => void undoLast(),
      m: () => formPane.querySelector<HTMLInputElement>(".pl-failure-mode")?.focus(),
      e: () => formPane.querySelector<HTMLTextAreaElement>(".pl-explanation")?.focus(),
      s: () => formPane.querySelector<HTMLSelectElement>(".pl-severity")?.focus(),
      y: () => {
        const id = traceId();
        const d = id === null ? null : nextDraft(draftState(id), focused);
        if (d) void acceptDraft(d);
        else say("No draft left to accept on this trace.");
      }
    };
    const digit = Number(event.key);
    if (Number.isInteger(digit) && digit >= 1 && digit <= rubric.criteria.length) {
      focused = rubric.criteria[digit - 1]!.id;
      renderSide();
      event.preventDefault();
    } else if (keys[event.key]) {
      event.preventDefault();
      keys[event.key]!();
    }
  }

  who.addEventListener("change", () => {
    annotator = who.value.trim();
    localStorage.setItem(ANNOTATOR_KEY, annotator);
    undo.length = 0;
    renderSide();
  });
  queueSelect.addEventListener("change", () => {
    queueId = queueSelect.value;
    go(0);
  });
  document.addEventListener("keydown", onKey);
  // Following a link to another trace on this page (`#trace=<id>`) moves there, among all traces if need be.
  const onHash = () => {
    if (!root.isConnected) return removeEventListener("hashchange", onHash);
    const id = new URLSearchParams(location.hash.slice(1)).get("trace");
    if (!id || id === traceId()) return;
    if (!items().some((i) => i.traceId === id)) queueSelect.value = queueId = "";
    go(items().findIndex((i) => i.traceId === id));
  };
  addEventListener("hashchange", onHash);

  const linked = new URLSearchParams(location.hash.slice(1)).get("trace");
  // A link to a trace outside the default queue (from the agreement page, say) opens it among all traces.
  if (linked && !params.has("queue") && !items().some((i) => i.traceId === linked)) {
    queueId = "";
    queueSelect.value = "";
  }
  const start = linked
    ? items().findIndex((i) => i.traceId === linked)
    : items().findIndex((i) => !doneSet().has(i.traceId));
  const root = el(
    "div",
    {class: "pl-annotate"},
    el(
      "div",
      {class: "pl-annotate-bar"},
      client.readOnly ? null : el("label", null, "Annotator ", who),
      el("label", null, "Queue ", queueSelect),
      el(
        "span",
        {class: "pl-muted pl-keys"},
        "p pass · f fail (select text, or open a span, to label just that) · j/k next/previous · u undo · 1–9 criterion · m failure mode · e explanation · s severity · y accept the suggested draft"
      ),
      client.readOnly ? el("span", {class: "pl-badge"}, "read-only") : null
    ),
    el("div", {class: "pl-annotate-grid"}, panel.node, viewPane, formPane)
  );
  setTimeout(() => details.warm(), 0);
  go(Math.max(0, start));
  return root;
}

function describe(a: Annotation): string {
  return a.pass === null ? (a.label ?? "") : a.pass ? "pass" : "fail";
}

function mergeModes(modes: {name: string; isNew: boolean}[], name: string | null): {name: string; isNew: boolean}[] {
  return name && !modes.some((m) => m.name === name) ? [...modes, {name, isNew: true}] : modes;
}
