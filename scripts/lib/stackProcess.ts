/**
 * The local stack (`scripts/start.ts`, what `npm start` runs) as a child process, for the tests and
 * benchmarks that drive it from outside: a free port, the spawn with its own state and output
 * directories, and its output collected.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface StackProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
}

/**
 * Starts the local stack on `port` with its state and outputs under `dir`, a block every
 * `blockIntervalMs`, metrics on free ports, `args` appended to `npm start`'s flags (e.g.
 * `["--settler-grace", "86400"]`), and `env` added to this process's environment.
 */
export function spawnStack(options: {
  port: number;
  dir: string;
  blockIntervalMs: number;
  args?: string[];
  env?: Record<string, string>;
}): StackProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/start.ts",
      "--port",
      String(options.port),
      "--metrics-port-base",
      "0",
      "--state-dir",
      path.join(options.dir, "state"),
      "--out-dir",
      options.dir,
      "--block-interval",
      String(options.blockIntervalMs),
      ...(options.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...options.env } },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}
