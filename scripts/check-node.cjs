#!/usr/bin/env node
/* global process, console, module, require */
// Stops at once, with one line saying what to install, when this Node.js is older than the project
// needs (Hardhat 3's simulator needs 22.13). Plain CommonJS with no dependencies, so it runs on any
// Node. `npm install` itself is stopped earlier by `engine-strict` in .npmrc; the npm scripts that
// run Hardhat call this first.
"use strict";

const REQUIRED = [22, 13, 0];

/** True when version string `v` (`"22.13.0"`, a leading `v` allowed) is at least REQUIRED. */
function isSupported(v) {
  const parts = String(v).replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < REQUIRED.length; i++) {
    const p = parts[i] || 0;
    if (p !== REQUIRED[i]) return p > REQUIRED[i];
  }
  return true;
}

/** The one line printed on an unsupported Node. */
function message(v) {
  return (
    `ai-token-futures needs Node.js >= ${REQUIRED.join(".")} (this is ${v}): ` +
    "install Node.js 22 LTS (`nvm install` reads .nvmrc) and run the command again."
  );
}

module.exports = { isSupported, message, REQUIRED };

if (require.main === module && !isSupported(process.versions.node)) {
  console.error(message(`v${process.versions.node}`));
  process.exit(1);
}
