// Draft labels for the Annotate page: calibrated judges' verdicts and drafted failure descriptions, per trace.
// See loaders/annotations/draftSuggestions.ts.
import {readDraftSuggestions} from "../../loaders/annotations/draftSuggestions.js";
import {withReadConnection, workspaceDir} from "../../loaders/store/read.js";
import {dbPath} from "../../loaders/store/db.js";
import {existsSync} from "node:fs";

const workspace = workspaceDir();
// A workspace with no store yet has nothing drafted.
const drafts = existsSync(dbPath(workspace)) ? await withReadConnection(workspace, readDraftSuggestions) : [];
process.stdout.write(JSON.stringify(drafts));
