// Every experiment with its cases scored by the suite's rule evaluators, for the experiments page.
// See loaders/gate/experimentsPageData.ts.
import {readExperimentsPageData} from "../../loaders/gate/experimentsPageData.js";
import {workspaceDir} from "../../loaders/store/read.js";

process.stdout.write(JSON.stringify(await readExperimentsPageData(workspaceDir())));
