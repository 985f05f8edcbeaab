// Evaluation datasets with every version's cases, and the completed reviews that led nowhere, for the datasets
// page. See loaders/datasets/pageData.ts.
import {readDatasetsPageData} from "../../loaders/datasets/pageData.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";

const workspace = workspaceDir();
process.stdout.write(JSON.stringify(await withReadConnection(workspace, (connection) => readDatasetsPageData(connection, workspace))));
