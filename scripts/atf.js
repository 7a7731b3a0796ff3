#!/usr/bin/env node
// `node scripts/atf.js …` still runs the CLI: the launcher is cli/bin.js.
await import("../cli/bin.js");
