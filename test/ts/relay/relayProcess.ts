/**
 * `atf relay` as a child process for the process tests: start it (`node cli/bin.js relay …`) and wait until
 * it listens, and poll a condition until it holds.
 */
import { spawn, type ChildProcess } from "node:child_process";

import { expect } from "chai";

/** Polls `check` every 100 ms until it returns true; fails after `seconds` with `what`. */
export async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect.fail(`timed out waiting for: ${what}`);
}

export interface RelayProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/**
 * Starts `atf relay` with `args` (and `env` beside `PATH`), adds it to `children` (for the caller's
 * cleanup), and resolves with its URL once it says it listens; rejects if it exits first.
 */
export function startRelayProcess(
  children: ChildProcess[],
  args: string[],
  env: Record<string, string> = {},
): Promise<RelayProcess> {
  const child = spawn(process.execPath, ["cli/bin.js", "relay", ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const seen = (d: Buffer) => {
      output += d.toString();
      const m = /relay listening on (http:\/\/[0-9.:]+)/.exec(output);
      if (m !== null) resolve({ child, url: m[1], output: () => output });
    };
    child.stdout?.on("data", seen);
    child.stderr?.on("data", seen);
    child.on("exit", (code) =>
      reject(new Error(`atf relay exited with ${code} before listening:\n${output}`)),
    );
  });
}

/** The exit code of `child` once it has exited. */
export function exitCodeOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on("exit", (code) => resolve(code));
  });
}
