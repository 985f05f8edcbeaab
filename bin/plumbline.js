#!/usr/bin/env node
// The command runs the TypeScript sources directly through tsx, so there is no build step between an edit
// and its use, and pages, loaders and the command always share one copy of the core.
import {register} from "tsx/esm/api";

register();
const {main} = await import("../loaders/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
