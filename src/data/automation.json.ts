// The workspace's automation rules (automation.json) and how many traces each has enqueued, for the Annotate page.
// Reads files only (the rules and the queues), never the store.
import {automationSummary} from "../../loaders/online/automation.js";
import {workspaceDir} from "../../loaders/store/read.js";

process.stdout.write(JSON.stringify(automationSummary(workspaceDir())));
