/**
 * @module A trace's conversation: every message in order with its role and agent, and each tool call with its
 * arguments and result, failed ones marked. Content is shown as text, exactly as recorded.
 */
import {conversation} from "../core/explore/conversation.js";
import type {DetailMessage, DetailToolCall, TraceDetail} from "../core/explore/detail.js";
import {el, type Child} from "./dom.js";
import {NONE, prettyJson} from "./format.js";

/** Longer contents are cut to this many characters until "Show all" is clicked. */
const COLLAPSED_CHARS = 2400;
/** System prompts are long and the same in every trace of an agent; they are cut sooner. */
const COLLAPSED_SYSTEM_CHARS = 480;

function body(content: string | null, cls: string, limit = COLLAPSED_CHARS): HTMLElement {
  if (content === null) return el("div", {class: `${cls} pl-muted`}, NONE);
  if (content.length <= limit) return el("div", {class: cls}, content);
  const node = el("div", {class: cls}, content.slice(0, limit) + "…");
  const more: HTMLButtonElement = el(
    "button",
    {
      class: "pl-link",
      on: {click: () => ((node.textContent = content), more.remove())}
    },
    `Show all (${content.length.toLocaleString("en-US")} characters)`
  );
  return el("div", null, node, more);
}

function roleClass(role: string): string {
  return ["user", "assistant", "system", "tool", "developer"].includes(role) ? `pl-role-${role}` : "pl-role-other";
}

/** One of six colours per agent name, the same on every page view, so each agent of a team reads apart. */
function agentClass(name: string): string {
  let hash = 0;
  for (let i = 0; i < name.length; ++i) hash = (hash * 31 + name.charCodeAt(i)) | 0;
  return `pl-agent pl-agent-${Math.abs(hash) % 6}`;
}

/** `position` is the message's place in the detail record; the annotation page scopes text labels by it. */
function messageNode(m: DetailMessage, position: number): HTMLElement {
  return el(
    "div",
    {class: `pl-msg ${roleClass(m.role)}`, attrs: {"data-span": m.spanId ?? "", "data-message": String(position)}},
    el(
      "div",
      {class: "pl-msg-head"},
      el("span", {class: "pl-role"}, m.role),
      m.name ? el("span", {class: agentClass(m.name)}, m.name) : null,
      m.toolCallId ? el("span", {class: "pl-muted pl-mono"}, m.toolCallId) : null
    ),
    body(
      m.content,
      "pl-content",
      m.role === "system" || m.role === "developer" ? COLLAPSED_SYSTEM_CHARS : COLLAPSED_CHARS
    )
  );
}

function toolNode(call: DetailToolCall, result: DetailMessage | null): HTMLElement {
  const state = call.success === false ? "failed" : call.success === true ? "ok" : result ? "ok" : "no result";
  const output = call.result ?? result?.content ?? null;
  return el(
    "div",
    {class: `pl-tool${call.success === false ? " pl-tool-failed" : ""}`},
    el(
      "div",
      {class: "pl-msg-head"},
      el("span", {class: "pl-role pl-role-tool"}, "tool call"),
      el("span", {class: "pl-tool-name"}, call.name),
      el("span", {class: `pl-badge ${state === "failed" ? "pl-bad" : state === "ok" ? "pl-good" : ""}`}, state),
      el("span", {class: "pl-muted pl-mono"}, call.callId)
    ),
    el("div", {class: "pl-label"}, "Arguments"),
    body(prettyJson(call.arguments), "pl-code"),
    call.error !== null ? el("div", {class: "pl-label pl-bad-text"}, "Error") : null,
    call.error !== null ? body(call.error, "pl-code pl-error") : null,
    output !== null || call.error === null ? el("div", {class: "pl-label"}, "Result") : null,
    output !== null || call.error === null ? body(output === null ? null : prettyJson(output), "pl-code") : null
  );
}

export function conversationView(detail: TraceDetail): HTMLElement {
  const entries = conversation(detail.messages, detail.toolCalls, detail.spans);
  const errors = detail.spans.filter((s) => s.status === "error");
  const nodes: Child[] = [];
  if (errors.length) {
    nodes.push(
      el(
        "div",
        {class: "pl-errors"},
        el("div", {class: "pl-label pl-bad-text"}, `${errors.length} span error${errors.length === 1 ? "" : "s"}`),
        ...errors.map((s) =>
          el(
            "div",
            {class: "pl-error-line"},
            el("span", {class: "pl-mono"}, s.name),
            " — ",
            s.statusMessage ?? "no message"
          )
        )
      )
    );
  }
  let turn = -1;
  for (const entry of entries) {
    if (entry.kind === "message") {
      const m = entry.message;
      if (m.role === "user" && m.turn !== turn) {
        turn = m.turn;
        nodes.push(el("div", {class: "pl-turn"}, `Turn ${turn + 1}`));
      }
      nodes.push(messageNode(m, detail.messages.indexOf(m)));
    } else {
      nodes.push(toolNode(entry.call, entry.result));
    }
  }
  if (!entries.length) nodes.push(el("p", {class: "pl-muted"}, "This trace has no messages or tool calls."));
  return el("div", {class: "pl-conversation"}, ...nodes);
}
