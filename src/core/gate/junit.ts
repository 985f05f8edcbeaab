/**
 * @module The gate run as JUnit XML, the format CI systems show as test results: one test case per evaluator, a
 * `<failure>` for one that blocked, an `<error>` for a blocking one that could not judge, `<skipped>` for one not
 * trusted enough to run, and its figures as properties. A report-only evaluator below its threshold passes, with
 * the warning in its output, so that it shows without failing the build. Every text is escaped, and characters
 * XML 1.0 cannot hold are dropped, since names come from spec files.
 */
import type {GateEvaluator, GateRun} from "../schemas/gateReport.js";
import {correctedText, percent, policyText, statusText} from "./format.js";

// Control characters other than tab, newline and return, lone surrogates and U+FFFE/U+FFFF are not XML 1.0 characters.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML, "")
    .replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"})[c]!);
}

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");

const property = (name: string, value: string | number | null) =>
  `      <property${attrs({name, value: value === null ? "" : value})}/>`;

function evaluatorProperties(e: GateEvaluator): string[] {
  return [
    property("failure_mode", e.failureMode),
    property("evaluator_version", e.evaluatorVersion),
    property("role", e.role),
    property("calibration_status", e.calibrationStatus),
    property("trust", statusText(e)),
    property("weak_evidence", String(e.weakEvidence)),
    property("calibration_warnings", e.warnings.join("; ")),
    property("mcc", e.calibration?.mcc ?? null),
    property("mcc_low", e.calibration?.mccInterval?.[0] ?? null),
    property("mcc_high", e.calibration?.mccInterval?.[1] ?? null),
    property("mcc_version_match", e.versionMatch === null ? "no calibration" : String(e.versionMatch)),
    property("calibration_measured_at", e.snapshot?.at ?? null),
    property("calibration_label_set", e.snapshot?.labelSet ?? null),
    property("calibration_n", e.snapshot?.n ?? null),
    property("calibration_split", e.snapshot?.split ?? null),
    property("label_drift", e.labelDrift),
    property("min_pass_rate", e.minPassRate),
    property("pass_rate", e.passRate),
    property("fail_rate", e.failRate),
    property("corrected_fail_rate", e.correctedFailRate?.value ?? null),
    property("corrected_fail_rate_low", e.correctedFailRate?.interval?.[0] ?? null),
    property("corrected_fail_rate_high", e.correctedFailRate?.interval?.[1] ?? null),
    property("corrected_fail_rate_undefined_share", e.correctedFailRate?.undefinedShare ?? null),
    property("errors", e.counts?.errors ?? 0),
    ...(e.baseline
      ? [
          property("baseline_experiment", e.baseline.experiment),
          property("baseline_pass_rate", e.baseline.passRate),
          property("baseline_paired_cases", e.baseline.paired),
          property("baseline_regressed_cases", e.baseline.regressed.join(", ")),
          property("baseline_improved", e.baseline.improved),
          property("baseline_p_worse", e.baseline.pWorse),
          property("baseline_alpha", e.baseline.alpha),
          property("baseline_significant", String(e.baseline.significant))
        ]
      : [])
  ];
}

function rates(e: GateEvaluator): string {
  return `pass rate ${percent(e.passRate)} (threshold ${percent(e.minPassRate)}); failure rate ${percent(e.failRate)}, corrected ${correctedText(e)}`;
}

function testcase(e: GateEvaluator): string {
  const lines = [
    `    <testcase${attrs({classname: `plumbline.gate.${e.failureMode}`, name: e.id, file: e.file})}>`,
    "      <properties>",
    ...evaluatorProperties(e),
    "      </properties>"
  ];
  const failing = e.failingTraces.length ? `\nfirst failing traces: ${e.failingTraces.join(", ")}` : "";
  if (e.outcome === "blocked") {
    lines.push(
      `      <failure${attrs({type: "blocked", message: `blocked by failure mode "${e.failureMode}": ${rates(e)}`})}>${escapeXml(`${e.reason}${failing}`)}</failure>`
    );
  } else if (e.outcome === "error" && e.role === "blocks") {
    lines.push(
      `      <error${attrs({type: "no-verdict", message: `every one of ${e.counts?.errors ?? 0} judge calls failed; failure mode "${e.failureMode}" could not be checked`})}/>`
    );
  } else if (e.outcome === "skipped") {
    lines.push(`      <skipped${attrs({message: `${statusText(e)}: ${e.reason}`})}/>`);
  } else {
    const warning =
      e.outcome === "warned"
        ? `report only, below threshold: ${rates(e)}${failing}`
        : e.outcome === "error"
          ? "report only: every judge call failed"
          : rates(e);
    lines.push(`      <system-out>${escapeXml(warning)}</system-out>`);
  }
  if (e.labelDrift) lines.push(`      <system-err>${escapeXml(e.labelDrift)}</system-err>`);
  if (e.counts?.errors)
    lines.push(
      `      <system-err>${escapeXml(`${e.counts.errors} judge calls failed; they are errors, not verdicts, and are left out of the rates`)}</system-err>`
    );
  lines.push("    </testcase>");
  return lines.join("\n");
}

export function renderJunit(run: GateRun): string {
  const failures = run.evaluators.filter((e) => e.outcome === "blocked").length;
  const errors = run.evaluators.filter((e) => e.outcome === "error" && e.role === "blocks").length;
  const skipped = run.evaluators.filter((e) => e.outcome === "skipped").length;
  const counts = {tests: run.evaluators.length, failures, errors, skipped, time: (run.durationMs / 1000).toFixed(3)};
  const c = run.coverage;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({name: "plumbline gate", ...counts})}>`,
    `  <testsuite${attrs({name: `plumbline gate: ${run.label}`, ...counts, timestamp: run.at, id: run.runId})}>`,
    "    <properties>",
    `${property("candidate", `${run.candidate.kind} ${run.candidate.name}${run.candidate.version ? `@${run.candidate.version}` : ""}`)}`,
    `${property("traces", run.candidate.traces)}`,
    `${property("trust_policy", policyText(run))}`,
    `${property("blocked_by", run.blockedBy.map((b) => b.failureMode).join("; "))}`,
    `${property("coverage", c.share ?? "")}`,
    `${property("coverage_text", `${c.covered} of ${c.active} active failure modes have a trusted evaluator`)}`,
    `${property(
      "uncovered",
      c.modes
        .filter((m) => !m.covered)
        .map((m) => m.name)
        .join("; ")
    )}`,
    "    </properties>",
    ...run.evaluators.map(testcase),
    "  </testsuite>",
    "</testsuites>",
    ""
  ].join("\n");
}
