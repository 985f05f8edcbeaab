// Every trace's spans, messages, tool calls and feedback, packed for range requests. See loaders/store/detailPack.ts.
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {writeDetailPack} from "../../loaders/store/detailPack.js";

// The rows split for the pack go beside the workspace, on its disk, rather than into a /tmp that may be memory.
const workspace = workspaceDir();
await withReadConnection(workspace, (connection) => writeDetailPack(connection, process.stdout, {scratchDir: workspace}));
