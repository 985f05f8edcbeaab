// Pass rates, volume, latency, cost and drift flags over time, for the monitor page. The store aggregates per time
// bucket (loaders/store/monitorRows.ts); the series and flags are computed by src/core/monitor/monitorData.ts.
import {monitorCalibrations} from "../core/monitor/calibrations.js";
import {monitorData} from "../core/monitor/monitorData.js";
import {loadSuite} from "../../loaders/gate/suite.js";
import {EVALUATORS_DIR} from "../../loaders/judge/specFile.js";
import {readMonitorRows} from "../../loaders/store/monitorRows.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {pagesNow} from "../../loaders/site/pagesClock.js";

const rows = await withReadConnection(workspaceDir(), readMonitorRows);
const calibrations = monitorCalibrations(loadSuite(EVALUATORS_DIR).specs.map((loaded) => loaded.spec));
process.stdout.write(JSON.stringify({...monitorData({...rows, calibrations}), generatedAt: pagesNow()}));
