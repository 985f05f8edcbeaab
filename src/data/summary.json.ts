// What the workspace holds, for the overview page. See loaders/browser/workspaceSummary.ts.
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {workspaceSummary} from "../../loaders/browser/workspaceSummary.js";

process.stdout.write(JSON.stringify(await withReadConnection(workspaceDir(), workspaceSummary)));
