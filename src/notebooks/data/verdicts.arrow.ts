// Judge verdicts with their human ground truth and their trace's model and prompt version, for notebooks, as
// Arrow IPC. See loaders/notebooks/verdictTable.ts; the columns are listed in docs/notebooks.md.
import {inSampleTraces} from "../../../loaders/calibration/inSample.js";
import {loadSuite} from "../../../loaders/gate/suite.js";
import {EVALUATORS_DIR} from "../../../loaders/judge/specFile.js";
import {verdictTableIPC} from "../../../loaders/notebooks/verdictTable.js";
import {withReadConnection, workspaceDir} from "../../../loaders/store/read.js";
import {endOutput, writeAll} from "../../../loaders/files/loaderOutput.js";

const inSample = inSampleTraces(loadSuite(EVALUATORS_DIR).specs);
const bytes = await withReadConnection(workspaceDir(), (connection) => verdictTableIPC(connection, inSample));
await writeAll(process.stdout, bytes);
await endOutput(process.stdout);
