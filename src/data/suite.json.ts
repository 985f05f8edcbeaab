// The latest gate run and the runs before it, for the suite page, from <workspace>/gate-runs.jsonl.
import {suitePageData} from "../core/gate/pageData.js";
import {readGateRuns} from "../../loaders/gate/gateRuns.js";
import {workspaceDir} from "../../loaders/store/read.js";

const {runs, problems} = readGateRuns(workspaceDir());
process.stdout.write(JSON.stringify(suitePageData(runs, problems)));
