// The aligned judge and human labels side by side, as Parquet (the same file as `plumbline calibrate export`).
// Rows of traces a spec in evaluators/ was learned from are marked in_sample.
import {writeExportToStdout} from "../../loaders/calibration/exportFile.js";
import {inSampleTraces} from "../../loaders/calibration/inSample.js";
import {loadSuite} from "../../loaders/gate/suite.js";
import {EVALUATORS_DIR} from "../../loaders/judge/specFile.js";

await writeExportToStdout("parquet", inSampleTraces(loadSuite(EVALUATORS_DIR).specs));
