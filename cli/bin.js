#!/usr/bin/env node
// Runs the TypeScript CLI (cli/main.ts) without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
await main();
