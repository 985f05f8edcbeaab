// What the workspace holds, for the overview page. See loaders/store/workspaceSummary.ts.
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {workspaceSummary} from "../../loaders/store/workspaceSummary.js";

process.stdout.write(JSON.stringify(await withReadConnection(workspaceDir(), workspaceSummary)));
