/**
 * A throwaway PostgreSQL server for tests and the relay benchmark: the server binaries (`initdb`,
 * `pg_ctl`) of Debian's `postgresql` package (under /usr/lib/postgresql/<version>/bin) or on PATH, a
 * fresh data directory under a temporary directory, loopback only on a free port, trust authentication.
 * PostgreSQL refuses to run as root, so when this process is root the server runs as the `postgres`
 * user (made by the Debian package) or, without it, as `nobody`. `.ci/run` installs the package on a
 * fresh machine.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort } from "../helpers/net.js";

export interface TestPostgres {
  url: string;
  stop(): void;
}

const hasServer = (dir: string) =>
  existsSync(path.join(dir, "initdb")) &&
  existsSync(path.join(dir, "pg_ctl")) &&
  existsSync(path.join(dir, "postgres"));

/** The directory of `initdb`, `pg_ctl` and `postgres`, or undefined when no server is installed. */
export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^[0-9.]+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bin = path.join(root, v, "bin");
      if (hasServer(bin)) return bin;
    }
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && hasServer(dir)) return dir;
  }
  return undefined;
}

/** Whether the PostgreSQL tests run here: always under CI (where a missing server fails them). */
export function postgresTestsRun(): boolean {
  return postgresBin() !== undefined || process.env.CI !== undefined;
}

/** The user the server runs as when this process is root: `postgres` when it exists, else `nobody`. */
function serverUser(): string {
  try {
    execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
    return "postgres";
  } catch {
    return "nobody";
  }
}

/**
 * Starts a server. `durable: false` (tests) runs it with `fsync=off`; the benchmark keeps `fsync` on so
 * that an acknowledged order is on disk, as with the embedded database.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  const bin = postgresBin();
  if (bin === undefined) {
    throw new Error(
      "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin or PATH): apt-get install -y postgresql",
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), "relay-pg-"));
  // the server's user writes the data directory, the socket and the log here
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const user = process.getuid?.() === 0 ? serverUser() : undefined;
  const as = (cmd: string, args: string[]) =>
    user !== undefined
      ? execFileSync("runuser", ["-u", user, "--", path.join(bin, cmd), ...args], { stdio: "pipe", cwd: dir })
      : execFileSync(path.join(bin, cmd), args, { stdio: "pipe", cwd: dir });
  try {
    as("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
    const port = await freePort();
    as("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "log"),
      "-w",
      "-t",
      "60",
      "-o",
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}${options.durable === true ? "" : " -c fsync=off"}`,
      "start",
    ]);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: () => {
        try {
          as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`could not start PostgreSQL from ${bin}${user ? ` as ${user}` : ""}: ${stderr ?? error}`);
  }
}
