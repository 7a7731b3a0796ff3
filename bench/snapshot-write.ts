/** `npm run bench:snapshot`: re-measures the hot path and rewrites `bench/gas-snapshot.json`. */
import { writeFile } from "node:fs/promises";

import { SNAPSHOT_PATH, formatSnapshot, measureSnapshot } from "./snapshot.js";

const snapshot = await measureSnapshot();
await writeFile(SNAPSHOT_PATH, formatSnapshot(snapshot));
console.log(formatSnapshot(snapshot));
