#!/usr/bin/env node
// Runs the TypeScript CLI without a build step.
import { register } from "tsx/esm/api";

register();
await import("./store/quiet-sqlite.ts");
const { main } = await import("./cli.ts");
await main();
