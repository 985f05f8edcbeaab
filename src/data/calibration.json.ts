// Judge verdicts aligned with human labels, for the calibration page, which computes its figures from these rows
// with the same core functions as `plumbline calibrate report`. The traces each spec in evaluators/ was learned from
// come apart, as in-sample. See loaders/calibration/calibrationData.ts.
import {readCalibrationPageData} from "../../loaders/calibration/calibrationData.js";
import {inSampleTraces} from "../../loaders/calibration/inSample.js";
import {loadSuite} from "../../loaders/gate/suite.js";
import {EVALUATORS_DIR} from "../../loaders/judge/specFile.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";

const inSample = inSampleTraces(loadSuite(EVALUATORS_DIR).specs);
process.stdout.write(
  JSON.stringify(await withReadConnection(workspaceDir(), (connection) => readCalibrationPageData(connection, inSample)))
);
