/**
 * `atf relay`: the order relay as its own process (node cli/bin.js relay …, the same relay/cli.ts as
 * `npm run relay`) against the in-process chain served over loopback HTTP: it starts on its embedded
 * database, answers `/healthz`, accepts an order, keeps it across a restart, and SIGTERM stops it with
 * exit code 0.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import { orderToJson } from "../../../relay/validate/schema.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { deployProtocol, type Protocol } from "../helpers/protocolFixture.js";
import { startRpcProxy } from "../keepers/rpcProxy.js";
import { exitCodeOf, startRelayProcess, until } from "./relayProcess.js";

const { ethers, provider, networkHelpers } = await network.create();

describe("atf relay: the order relay as its own process", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  const children: ChildProcess[] = [];
  let rpc: { url: string; close: () => Promise<void> } | undefined;

  afterEach(async function () {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await rpc?.close();
    rpc = undefined;
  });

  const startProcess = (args: string[]) => startRelayProcess(children, args);
  const stopped = exitCodeOf;

  it("starts, serves /healthz and orders, keeps them across a restart, and stops on SIGTERM with exit 0", async function () {
    const p: Protocol = await deployProtocol(ethers, networkHelpers);
    const node = await startRpcProxy(provider);
    rpc = node;
    const database = join(mkdtempSync(join(tmpdir(), "atf-relay-")), "relay.db");
    const [exchange, clearinghouse, oracle] = [
      await p.exchange.getAddress(),
      await p.ch.getAddress(),
      await p.oracle!.getAddress(),
    ];
    const argsWith = (port: string, db: string) => [
      "--rpc-url",
      node.url,
      "--exchange",
      exchange,
      "--clearinghouse",
      clearinghouse,
      "--index-oracle",
      oracle,
      "--database-url",
      db,
      "--port",
      port,
      "--poll-interval-ms",
      "100",
      "--log-level",
      "warn",
    ];
    const args = argsWith("0", database);
    const first = await startProcess(args);
    await until("a healthy relay", async () => (await fetch(`${first.url}/healthz`)).status === 200);
    const health = (await (await fetch(`${first.url}/healthz`)).json()) as { chain: string };
    expect(health.chain).to.equal("ok");

    const signed = await p.signOrder(p.traders[0], {
      isBuy: true,
      size: 2n,
      limitPrice: ethers.parseUnits("9.9", 18),
    });
    const posted = await fetch(`${first.url}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ order: orderToJson(signed.order), signature: signed.signature }),
    });
    const body = (await posted.json()) as { hash: string; state: string };
    expect(posted.status, JSON.stringify(body)).to.equal(201);
    expect(body.state).to.equal("open");

    // a second relay on the same port: one line and exit 2, the first keeps serving
    const port = new URL(first.url).port;
    const clash = spawn(process.execPath, ["cli/bin.js", "relay", ...argsWith(port, `${database}-2`)], {
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let clashErr = "";
    clash.stderr?.on("data", (d: Buffer) => (clashErr += d.toString()));
    expect(await stopped(clash), clashErr).to.equal(2);
    expect(clashErr.trim().split("\n")).to.have.length(1);
    expect(clashErr).to.match(/^relay: cannot start: .*EADDRINUSE/);
    expect((await fetch(`${first.url}/healthz`)).status).to.equal(200);

    first.child.kill("SIGTERM");
    expect(await stopped(first.child), first.output()).to.equal(0);

    // the same database: the order is still there and open
    const second = await startProcess(args);
    const again = (await (await fetch(`${second.url}/orders/${body.hash}`)).json()) as { state: string };
    expect(again.state).to.equal("open");
    second.child.kill("SIGTERM");
    expect(await stopped(second.child), second.output()).to.equal(0);
  });

  it("prints the relay's own options for `atf relay --help` and exits 2 on a bad one", async function () {
    const help = spawn(process.execPath, ["cli/bin.js", "relay", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    help.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    expect(await stopped(help)).to.equal(0);
    expect(text).to.contain("--database-url").and.contain("--max-open-orders");
    const bad = spawn(process.execPath, ["cli/bin.js", "relay", "--port", "http"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    bad.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    expect(await stopped(bad)).to.equal(2);
    expect(err).to.contain('--port: "http" is not an integer');
    const proxy = spawn(process.execPath, ["cli/bin.js", "relay", "--trusted-proxy", "10.0.0.1,proxy"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let proxyErr = "";
    proxy.stderr?.on("data", (d: Buffer) => (proxyErr += d.toString()));
    expect(await stopped(proxy)).to.equal(2);
    expect(proxyErr.trim()).to.equal('relay: --trusted-proxy: "proxy" is not an IP address');
  });
});
