/**
 * @module The workspace's automation rules, read-only, as text: what triggers each, the queue it fills, the share
 * it sends and how many traces it has enqueued so far.
 */
import {el} from "./dom.js";

export interface AutomationRuleRow {
  id: string;
  trigger: string;
  queue: string;
  share: number;
  enqueued: number;
}

export function automationRules(data: {rules: readonly AutomationRuleRow[]; error: string | null}): HTMLElement {
  const node = el("section", {class: "pl-automation"}, el("h2", null, "Automation rules"));
  if (data.error) {
    node.append(el("p", {class: "pl-automation-error"}, `The rules cannot be read: ${data.error}`));
    return node;
  }
  if (!data.rules.length) {
    node.append(
      el("p", {class: "pl-automation-none"}, "No automation rules: add them to automation.json in the workspace.")
    );
    return node;
  }
  node.append(
    el(
      "ul",
      {class: "pl-automation-rules"},
      ...data.rules.map((rule) =>
        el(
          "li",
          {attrs: {"data-rule": rule.id}},
          `${rule.id}: ${rule.trigger} → queue ${rule.queue}` +
            `${rule.share < 1 ? ` (${Math.round(rule.share * 100)} % of them)` : ""}; ` +
            `${rule.enqueued} trace${rule.enqueued === 1 ? "" : "s"} enqueued`
        )
      )
    )
  );
  return node;
}
