/**
 * @module The base of the errors a command ends with, for the Node side: the core's `PlumblineError`, so that an
 * error thrown by the core and one thrown here end a command the same way.
 */
export {PlumblineError} from "../src/core/errors.js";
