// The trace list, one row per trace, as Arrow IPC. See loaders/store/traceList.ts.
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {traceListIPC} from "../../loaders/store/traceList.js";
import {writeAll, endOutput} from "../../loaders/files/loaderOutput.js";

const bytes = await withReadConnection(workspaceDir(), traceListIPC);
await writeAll(process.stdout, bytes);
await endOutput(process.stdout);
