// The aligned judge and human labels side by side, as CSV (the same file as `plumbline calibrate export`).
import {writeExportToStdout} from "../../loaders/calibration/exportFile.js";

await writeExportToStdout("csv");
