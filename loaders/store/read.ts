/** @module Read-only access for data loaders and reports. */
export {withReadConnection, workspaceDir, dbPath, StoreError} from "./db.js";
