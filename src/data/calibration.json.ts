// Judge verdicts aligned with human labels, for the calibration page, which computes its figures from these rows
// with the same core functions as `plumbline calibrate report`. See loaders/calibration/calibrationData.ts.
import {readCalibrationPageData} from "../../loaders/calibration/calibrationData.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";

process.stdout.write(JSON.stringify(await withReadConnection(workspaceDir(), readCalibrationPageData)));
