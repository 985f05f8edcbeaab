/**
 * @module The gate run as a Markdown summary for a CI job page or a pull-request comment: the verdict and what
 * blocked it first, then a table of every evaluator with its pass rate beside the threshold and the raw failure
 * rate beside the corrected one, then coverage with the uncovered modes. Names come from spec files and the
 * registry, so they are escaped: Markdown's inline punctuation is backslash-escaped and HTML characters become entities
 * (CI systems render HTML inside Markdown).
 */
import type {GateEvaluator, GateRun} from "../schemas/gateReport.js";
import {
  correctedText,
  extraWarnings,
  formatP,
  percent,
  policyText,
  snapshotText,
  statusText,
  transitionText
} from "./format.js";

export function escapeMarkdown(text: string): string {
  return (
    text
      // Line breaks would end a table row; other control characters (a terminal's escape sequences, NUL, the
      // Unicode line separators) are invisible or act on whatever shows the summary. A name keeps one line.
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
      // Names sit mid-line (table cells, after "**"), so only the characters that act there need escaping.
      .replace(/[\\`*_[\]|~]/g, "\\$&")
      .replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]!)
  );
}

const OUTCOME: Record<GateEvaluator["outcome"], string> = {
  blocked: "❌ blocked",
  error: "⚠️ no verdict",
  warned: "⚠️ below threshold (reports only)",
  passed: "✅ passed",
  skipped: "⏭️ skipped"
};

const ROLE: Record<GateEvaluator["role"], string> = {blocks: "blocks", reports: "reports only", skipped: "—"};

function row(e: GateEvaluator): string {
  const mcc = e.calibration?.mcc == null ? "—" : e.calibration.mcc.toFixed(2);
  const n = e.counts
    ? `${e.counts.pass + e.counts.fail}${e.counts.errors ? ` (+${e.counts.errors} errors)` : ""}`
    : "—";
  const cells = [
    `\`${e.id.replace(/`/g, "")}\``,
    escapeMarkdown(e.failureMode),
    `${mcc} ${ROLE[e.role]}${e.weakEvidence ? " (weak evidence)" : ""}`,
    OUTCOME[e.outcome],
    e.passRate === null ? "—" : `${percent(e.passRate)} (min ${percent(e.minPassRate)})`,
    percent(e.failRate),
    escapeMarkdown(correctedText(e)),
    n
  ];
  return `| ${cells.join(" | ")} |`;
}

export function renderMarkdown(run: GateRun): string {
  const candidate = `${run.candidate.kind} ${run.candidate.name}${run.candidate.version ? `@${run.candidate.version}` : ""}`;
  const lines = [`## Plumbline gate: ${escapeMarkdown(run.label)}`, ""];
  if (run.blocked) {
    lines.push(
      `**❌ Blocked** by ${run.blockedBy.map((b) => `**${escapeMarkdown(b.failureMode)}** (${b.evaluators.map((id) => `\`${id}\``).join(", ")})`).join(", ")}.`
    );
  } else {
    lines.push("**✅ Passed**: no blocking evaluator is below its threshold.");
  }
  const ran = run.evaluators.filter((e) => e.role !== "skipped").length;
  lines.push(
    "",
    `${run.candidate.traces} traces (${escapeMarkdown(candidate)}${run.candidate.rejected ? `, ${run.candidate.rejected} records rejected` : ""}); ` +
      `${ran} of ${run.evaluators.length} evaluators ran. MCC ≥ ${run.thresholds.block} blocks, ${run.thresholds.report}–${run.thresholds.block} reports only, below that or uncalibrated is skipped. ` +
      `Trust policy ${policyText(run)}.`,
    "",
    "| Evaluator | Failure mode | MCC, role | Outcome | Pass rate (threshold) | Failure rate | Corrected [95 %] | Traces judged |",
    "|---|---|---|---|---|---|---|---|",
    ...run.evaluators.map(row),
    ""
  );
  for (const e of run.evaluators.filter((e) => e.role !== "skipped")) {
    if (e.weakEvidence) lines.push(`- \`${e.id}\` ${escapeMarkdown(statusText(e))}`);
    for (const w of extraWarnings(e)) lines.push(`- \`${e.id}\` warning: ${escapeMarkdown(w)}`);
  }
  const warned = run.evaluators.filter((e) => e.outcome === "blocked" || e.outcome === "warned");
  for (const e of warned.filter((e) => e.failingTraces.length)) {
    lines.push(
      `- \`${e.id}\` first failing traces: ${e.failingTraces.map((t) => `\`${t.replace(/`/g, "")}\``).join(", ")}`
    );
  }
  if (run.baseline) {
    lines.push(
      "",
      `Against the baseline experiment **${escapeMarkdown(run.baseline.experiment)}** (same cases; one-sided exact McNemar test, α = ${run.baseline.alpha}):`,
      ""
    );
    for (const e of run.evaluators.filter((e) => e.baseline)) {
      const b = e.baseline!;
      lines.push(
        `- \`${e.id.replace(/`/g, "")}\`: ${percent(b.passRate)} → ${percent(b.candidatePassRate)} on ${b.paired} cases; ` +
          `${b.regressed.length} regressed, ${b.improved} improved, p = ${formatP(b.pWorse)}${b.significant ? " — **significantly worse**" : ""}` +
          (b.regressed.length ? `; regressed: ${b.regressed.map((c) => `\`${c.replace(/`/g, "")}\``).join(", ")}` : "")
      );
    }
  }
  if (run.transitions?.length) {
    lines.push("", "Failure modes:", "");
    for (const t of run.transitions)
      lines.push(`- **${escapeMarkdown(t.failureMode)}**: ${escapeMarkdown(transitionText(t))}`);
  }
  const calibrated = run.evaluators.filter((e) => e.snapshot && e.versionMatch);
  if (calibrated.length) {
    lines.push(
      "",
      "Calibrations used:",
      "",
      ...calibrated.map((e) => `- \`${e.id.replace(/`/g, "")}\`: ${escapeMarkdown(snapshotText(e))}`)
    );
  }
  for (const e of run.evaluators.filter((e) => e.labelDrift))
    lines.push("", `> ⚠️ \`${e.id.replace(/`/g, "")}\`: ${escapeMarkdown(e.labelDrift!)}`);
  const skipped = run.evaluators.filter((e) => e.outcome === "skipped");
  if (skipped.length) {
    lines.push(
      "",
      "<details><summary>Skipped evaluators</summary>",
      "",
      ...skipped.map((e) => `- \`${e.id}\`: ${escapeMarkdown(statusText(e))}, ${escapeMarkdown(e.reason)}`),
      "",
      "</details>"
    );
  }
  const c = run.coverage;
  lines.push(
    "",
    `### Coverage: ${c.covered} of ${c.active} active failure modes (${percent(c.share, 0)}) have a trusted evaluator`,
    c.registry
      ? ""
      : "_No failure-mode registry was read (give --workspace): only the modes the suite's specs name count._",
    ""
  );
  const uncovered = c.modes.filter((m) => !m.covered);
  if (uncovered.length)
    lines.push(
      "Uncovered:",
      "",
      ...uncovered.map(
        (m) => `- **${escapeMarkdown(m.name)}**${m.state ? ` (${m.state})` : ""}: ${escapeMarkdown(m.why)}`
      ),
      ""
    );
  return lines.join("\n");
}
