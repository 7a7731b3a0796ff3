/**
 * A real `keepers settler` process (node keepers/bin.js, its key from an encrypted keystore file) against the
 * in-process chain served over loopback HTTP, with the faults operators meet: the chain's clock jumps past
 * expiry (the settler must decide by chain time, not the wall clock), the RPC endpoint dies and comes back
 * on the same port, and the chain is reset below what the keeper saw (a node restarted from an earlier
 * state). Through all of it the process keeps going: it proposes on the chain it is on, `/healthz` and
 * `/metrics` answer, and SIGTERM stops it with exit code 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Wallet, encryptKeystoreJsonSync } from "ethers";
import { network } from "hardhat";

import { WAD, deployClearinghouse, INDEX_ID, type Fixture } from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { startRpcProxy } from "./rpcProxy.js";

const { ethers, provider, networkHelpers } = await network.create();
const { time } = networkHelpers;

/** A free loopback port (bound, read, released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` every 100 ms until it returns true; fails after `seconds` with `what`. */
async function until(what: string, check: () => Promise<boolean>, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect.fail(`timed out waiting for: ${what}`);
}

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe("keepers: a real settler process through a clock jump, a dead RPC and a chain reset", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let child: ChildProcess | undefined;
  let rpc: { url: string; close: () => Promise<void> } | undefined;

  afterEach(async function () {
    if (child !== undefined && child.exitCode === null) child.kill("SIGKILL");
    await rpc?.close();
  });

  it("proposes by chain time, rides out a dead RPC, resyncs after a reset and stops cleanly", async function () {
    const f: Fixture = await deployClearinghouse(ethers, networkHelpers, 6);
    await f.fund(f.alice, "50000");
    await f.fund(f.bob, "50000");
    await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 2n, 10n * WAD);
    await f.oracle.setTwap(INDEX_ID, 12n * WAD);

    // the keeper's key, as operators keep it: an encrypted keystore file and a password file
    const dir = mkdtempSync(join(tmpdir(), "atf-keeper-process-"));
    const wallet = Wallet.createRandom();
    writeFileSync(
      join(dir, "key.json"),
      encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, "correct horse", {
        scrypt: { N: 1024 },
      }),
    );
    writeFileSync(join(dir, "password"), "correct horse\n");
    await networkHelpers.setBalance(wallet.address, 10n ** 20n);

    const port = await freePort();
    const httpPort = await freePort();
    rpc = await startRpcProxy(provider, port);
    let stderr = "";
    let stdout = "";
    child = spawn(
      process.execPath,
      [
        "keepers/bin.js",
        "settler",
        "--rpc-url",
        rpc.url,
        "--clearinghouse-address",
        await f.ch.getAddress(),
        "--keystore",
        join(dir, "key.json"),
        "--keystore-password-file",
        join(dir, "password"),
        "--http-port",
        String(httpPort),
        "--poll-interval-ms",
        "100",
        "--retry-attempts",
        "2",
        "--retry-base-ms",
        "50",
        "--retry-max-ms",
        "200",
        "--rpc-timeout-ms",
        "2000",
        "--health-stale-ms",
        "5000",
        "--job-store-path",
        join(dir, "jobs.json"),
        "--log-level",
        "info",
      ],
      { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const health = `http://127.0.0.1:${httpPort}`;
    await until("the first tick", async () => (await get(`${health}/healthz`)).status === 200);
    const proposed = async () => (await f.ch.settlementState(f.marketId))[0] !== 0n;
    expect(await proposed()).to.equal(false);

    // the chain's clock jumps past expiry (the wall clock does not): the process proposes
    const snapshot = (await provider.request({ method: "evm_snapshot", params: [] })) as string;
    await time.increaseTo(f.params.expiry + 1n);
    await until("the proposal after the chain's expiry", proposed);
    expect(stdout).to.match(/"msg":"[^"]*propose/);

    // the RPC endpoint dies; blocks go on meanwhile; it comes back on the same port
    await rpc.close();
    rpc = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(child.exitCode).to.equal(null);
    rpc = await startRpcProxy(provider, port);

    // the node restarts from an earlier state (before the expiry jump): the head goes back below what the
    // keeper saw; it logs the reset, forgets what it read and proposes again on this chain once it expires
    await provider.request({ method: "evm_revert", params: [snapshot] });
    expect(await proposed()).to.equal(false);
    await until("the chain reset in the log", async () => /chain reset/i.test(stdout));
    await time.increaseTo(f.params.expiry + 1n);
    await until("the proposal on the restarted chain", proposed);
    await until("healthy after the reset", async () => (await get(`${health}/healthz`)).status === 200);
    const metrics = (await get(`${health}/metrics`)).body;
    expect(metrics).to.match(/keeper_chain_resets_total\{[^}]*\} [1-9]/);
    // the outage was seen and counted, not fatal
    expect(metrics).to.match(/keeper_rpc_errors_total\{[^}]*\} [1-9]/);

    // SIGTERM: a clean stop
    const exited = new Promise<number | null>((resolve) => child?.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited, stderr).to.equal(0);
  });
});
