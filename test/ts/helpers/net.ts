/** Network helpers for tests that start servers of their own. */
export { freePort } from "../../../scripts/lib/stackProcess.js";
