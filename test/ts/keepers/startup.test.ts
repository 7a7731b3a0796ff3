/**
 * Start-up through the real `keepers` command line against the in-process chain (served over loopback
 * HTTP): an unreachable RPC, a port in use, an address with no code, the wrong contract and an unknown
 * market id each print one line and exit 2; one run goes through a real `keepers` process.
 */
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";

import { expect } from "chai";
import { network } from "hardhat";

import { runCli, type CliIo } from "../../../keepers/cli.js";
import {
  DEFAULT_HTTP_PORTS,
  liquidatorConfigSchema,
  matcherConfigSchema,
  relayerConfigSchema,
  reporterConfigSchema,
  settlerConfigSchema,
} from "../../../keepers/configs.js";
import { deployClearinghouse, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { startRpcProxy } from "./rpcProxy.js";

const { ethers, provider, networkHelpers } = await network.create();

/** An RPC URL nothing listens on (connection refused at once). */
const DEAD_RPC = "http://127.0.0.1:9";
/** An address with no code on the test chain. */
const ADDRESS = "0x00000000000000000000000000000000000a11Ce";

async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io: CliIo = { env, stderr: (t) => void (stderr += t), exit: { code: 0 } };
  const code = await runCli(["node", "keepers", ...args], io);
  return { code, stderr };
}

/** The one line a failed start printed. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).to.have.length(1);
  return lines[0];
}

async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe("keepers: start-up checks", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let f: Fixture;
  let rpc: { url: string; close: () => Promise<void> };
  before(async function () {
    f = await deployClearinghouse(ethers, networkHelpers, 0);
    rpc = await startRpcProxy(provider);
  });
  after(async function () {
    await rpc.close();
  });
  const settler = (extra: string[]) => [
    "settler",
    "--dry-run",
    "--http-port",
    "0",
    "--retry-attempts",
    "1",
    "--log-level",
    "silent",
    ...extra,
  ];

  it("an unreachable RPC: one line, exit 2", async function () {
    const { code, stderr } = await cli(settler(["--rpc-url", DEAD_RPC, "--clearinghouse-address", ADDRESS]));
    expect(code).to.equal(2);
    expect(oneLine(stderr)).to.match(/^cannot reach the JSON-RPC endpoint http:\/\/127\.0\.0\.1:9: /);
  });

  it("an address with no code, the wrong contract, an unknown market id: one line each, exit 2", async function () {
    const empty = await cli(settler(["--rpc-url", rpc.url, "--clearinghouse-address", ADDRESS]));
    expect(empty.code).to.equal(2);
    expect(oneLine(empty.stderr)).to.equal(
      `Clearinghouse (--clearinghouse-address) ${ADDRESS} has no code on this chain (wrong address or wrong network?)`,
    );
    const oracle = await f.oracle.getAddress();
    const wrong = await cli(settler(["--rpc-url", rpc.url, "--clearinghouse-address", oracle]));
    expect(wrong.code).to.equal(2);
    expect(oneLine(wrong.stderr)).to.match(
      /^Clearinghouse \(--clearinghouse-address\) 0x[0-9a-fA-F]{40} does not answer as one: /,
    );
    const ch = await f.ch.getAddress();
    const unknown = `0x${"11".repeat(32)}`;
    const market = await cli(
      settler(["--rpc-url", rpc.url, "--clearinghouse-address", ch, "--markets", unknown]),
    );
    expect(market.code).to.equal(2);
    expect(oneLine(market.stderr)).to.match(new RegExp(`^unknown market id ${unknown} \\(--markets\\)`));
  });

  it("a metrics port in use: one line, exit 2", async function () {
    const busy = await busyPort();
    try {
      const ch = await f.ch.getAddress();
      const args = settler(["--rpc-url", rpc.url, "--clearinghouse-address", ch]).map((a) =>
        a === "0" ? String(busy.port) : a,
      );
      const { code, stderr } = await cli(args);
      expect(code).to.equal(2);
      expect(oneLine(stderr)).to.equal(
        `metrics port ${busy.port} on 127.0.0.1 is already in use (another keeper?): choose another with --http-port`,
      );
    } finally {
      busy.server.close();
    }
  });

  it("a real keepers process with a dead RPC prints one line and exits 2", function () {
    const run = spawnSync(
      process.execPath,
      ["keepers/bin.js", ...settler(["--rpc-url", DEAD_RPC, "--clearinghouse-address", ADDRESS])],
      { encoding: "utf8", env: { PATH: process.env.PATH ?? "" }, timeout: 60_000 },
    );
    expect(run.status, run.stderr).to.equal(2);
    expect(oneLine(run.stderr)).to.match(/^cannot reach the JSON-RPC endpoint /);
  });

  it("default metrics ports differ per keeper and stay clear of npm start's (9460 and the following dozen)", function () {
    const base = { dryRun: true, rpcUrl: "http://127.0.0.1:8545", indexName: "ATPI-FRONTIER" };
    const ports = [
      reporterConfigSchema.parse({ ...base, source: "x.csv", oracleAddress: ADDRESS }).httpPort,
      relayerConfigSchema.parse({ ...base, oracleAddress: ADDRESS, reportDir: "r" }).httpPort,
      matcherConfigSchema.parse({
        dryRun: true,
        rpcUrl: base.rpcUrl,
        exchangeAddress: ADDRESS,
        ordersFile: "o",
      }).httpPort,
      liquidatorConfigSchema.parse({ dryRun: true, rpcUrl: base.rpcUrl, clearinghouseAddress: ADDRESS })
        .httpPort,
      settlerConfigSchema.parse({ dryRun: true, rpcUrl: base.rpcUrl, clearinghouseAddress: ADDRESS })
        .httpPort,
    ];
    expect(ports).to.deep.equal(Object.values(DEFAULT_HTTP_PORTS));
    expect(new Set(ports).size).to.equal(5);
    for (const p of ports) expect(p < 9460 || p >= 9480, String(p)).to.equal(true);
  });
});
