// Every experiment's answers, the reviewers' pairwise choices and the pairwise judges' answers, for the Pairwise
// review page. See loaders/pairwise/reviewPageData.ts.
import {readPairwisePageData} from "../../loaders/pairwise/reviewPageData.js";
import {workspaceDir} from "../../loaders/store/read.js";

// Set by `plumbline start` for the page server it runs: only then is there an API to write through.
process.stdout.write(JSON.stringify(await readPairwisePageData(workspaceDir(), process.env.PLUMBLINE_API === "1")));
