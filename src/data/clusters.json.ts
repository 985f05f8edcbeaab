// The Clusters page's data: clusters, clustered traces with their map positions, and the failure-mode registry.
// See loaders/store/clusterPageData.ts and loaders/failureModes/registry.ts.
import {clusterPageData} from "../../loaders/store/clusterPageData.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {loadRegistry} from "../../loaders/failureModes/registry.js";
import {pagesNow} from "../../loaders/site/pagesClock.js";
import type {ClusterPageData} from "../core/clusters/pageData.js";

const workspace = workspaceDir();
const data: ClusterPageData = await withReadConnection(workspace, async (connection) => {
  const page = await clusterPageData(connection);
  const {modes, problems} = await loadRegistry(connection, {workspace, now: pagesNow()});
  const failureModes = modes.map(({history: _h, setState: _s, ...mode}) => mode);
  return {...page, failureModes, problems};
});
process.stdout.write(JSON.stringify(data));
