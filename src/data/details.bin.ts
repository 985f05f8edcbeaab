// Every trace's spans, messages, tool calls and feedback, packed for range requests. See loaders/store/detailPack.ts.
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {writeDetailPack} from "../../loaders/store/detailPack.js";

await withReadConnection(workspaceDir(), (connection) => writeDetailPack(connection, process.stdout));
