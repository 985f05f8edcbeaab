/** The part of Framework's preview server that Plumbline's page server uses (Framework ships no types). */
declare module "@observablehq/framework/dist/preview.js" {
  import type {EventEmitter} from "node:events";

  export class PreviewServer {
    /**
     * Listens for `request` and `upgrade` events on `server` (anything that emits them), reading the config
     * from `root` (default: the working directory) on each request.
     */
    constructor(options: {config?: string; root?: string; origins?: string[]; server: EventEmitter; verbose?: boolean});
  }
}
