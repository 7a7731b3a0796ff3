/**
 * `npm start`'s script as a child process on a free loopback port: it becomes ready (bounded polling
 * of JSON-RPC and of its output), serves the deployed protocol to a viem client (a view on every
 * contract, markets on both kinds of index with two expiries each), the relayers post oracle rounds,
 * and SIGINT stops it with exit code 0, leaving nothing listening on its ports.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { createPublicClient, erc20Abi, http, parseAbi, type Address, type PublicClient } from "viem";

import { indexIdOf } from "../../../index/ids.js";
import { clearinghouseAbi, exchangeAbi, indexOracleAbi } from "../../../sdk/abi/index.js";
import { loadAddressBook } from "../../../sdk/core/index.js";
import { readLatest } from "../../../sdk/viem/index.js";
import { LIQUIDATOR_INDEX, LIQUIDATOR_MARGIN_TOKENS } from "../../../scripts/lib/stack.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import { BOUNDED_WAIT_MS, SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { freePort, spawnStack } from "../../../scripts/lib/stackProcess.js";

/** Polls `check` every 200 ms until it returns a value, failing after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function listening(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: "POST", body: "{}", signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe("local stack (scripts/start.ts)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let child: ChildProcess | undefined;
  let dir: string;

  after(function () {
    if (child !== undefined && child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("test_start_servesTheDeployedProtocolAndStopsCleanlyOnSigint", async function () {
    dir = mkdtempSync(path.join(tmpdir(), "atf-stack-"));
    const port = await freePort();
    const rpcUrl = `http://127.0.0.1:${port}`;
    const stack = spawnStack({ port, dir, blockIntervalMs: 500 });
    child = stack.child;
    const output = stack.output;
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));

    const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) }) as PublicClient;
    expect(await until("JSON-RPC", BOUNDED_WAIT_MS, () => client.getChainId())).to.equal(31337);
    await until("the stack to be ready", BOUNDED_WAIT_MS, async () => {
      if (child!.exitCode !== null) throw new Error(`stack exited early:\n${output()}`);
      // The banner's last line: the whole banner has arrived (it may come in several stdout chunks).
      return output().includes("local stack ready") && output().includes("Ctrl-C stops everything.")
        ? true
        : undefined;
    });
    expect(output()).to.contain(`RPC URL    ${rpcUrl}`).and.contain("Chain id   31337");
    // It says what it is doing before the banner, in order.
    const steps = [
      "[stack] starting the JSON-RPC node",
      "[stack] deploying the protocol",
      "[stack] creating",
      "[stack] funding the test traders",
      "[stack] starting the keepers",
      "[stack] starting the order relay",
      "local stack ready",
    ].map((line) => output().indexOf(line));
    // a newcomer's first screen has no Node warning (the relay's embedded database is node:sqlite)
    expect(output()).to.not.contain("ExperimentalWarning");
    expect(steps.every((at) => at >= 0)).to.equal(true, output());
    expect([...steps].sort((x, y) => x - y)).to.deep.equal(steps);
    expect(output())
      .to.contain("PUBLIC keys")
      .and.contain("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    expect(output()).to.contain("re-dated to today");

    const book = loadAddressBook(JSON.parse(readFileSync(path.join(dir, "localhost.json"), "utf8")));
    expect(book.chainId).to.equal(31337);
    // a view on each contract
    const [immediate] = await client.readContract({
      address: book.accessManager!,
      abi: parseAbi(["function canCall(address, address, bytes4) view returns (bool, uint32)"]),
      functionName: "canCall",
      args: [book.exchange, book.clearinghouse!, "0x00000000"],
    });
    expect(immediate).to.equal(false);
    expect(
      await client.readContract({ address: book.collateral!, abi: erc20Abi, functionName: "decimals" }),
    ).to.equal(6);
    expect(
      await client.readContract({
        address: book.exchange,
        abi: exchangeAbi,
        functionName: "minNonce",
        args: [book.exchange],
      }),
    ).to.equal(0n);
    // the liquidator keeper (#12) has margin to take positions over
    const [liquidatorBalance] = await client.readContract({
      address: book.clearinghouse!,
      abi: clearinghouseAbi,
      functionName: "accountOf",
      args: [testAccount(LIQUIDATOR_INDEX).address],
    });
    expect(liquidatorBalance).to.equal(LIQUIDATOR_MARGIN_TOKENS * 10n ** 6n);
    const count = await client.readContract({
      address: book.clearinghouse!,
      abi: clearinghouseAbi,
      functionName: "marketCount",
    });
    expect(count).to.equal(Object.keys(book.markets!).length);
    const perIndex = new Map<string, Set<number>>();
    for (const [symbol, m] of Object.entries(book.markets!)) {
      const params = await client.readContract({
        address: book.clearinghouse!,
        abi: clearinghouseAbi,
        functionName: "marketParams",
        args: [m.id],
      });
      expect(params.expiry, symbol).to.equal(BigInt(m.expiry));
      const index = symbol.slice(0, symbol.lastIndexOf("-"));
      expect(params.indexId).to.equal(indexIdOf(index));
      perIndex.set(index, (perIndex.get(index) ?? new Set()).add(m.expiry));
    }
    expect(perIndex.get("ATPI-FRONTIER")?.size).to.be.at.least(2); // AI token prices
    expect(perIndex.get("GPU-H100")?.size).to.be.at.least(2); // GPU-hour compute prices
    expect(perIndex.get("ATPI-SMALL")?.size).to.be.at.least(2);
    for (const [index, feed] of Object.entries(book.feeds!)) {
      expect(
        await client.readContract({
          address: book.indexOracle,
          abi: indexOracleAbi,
          functionName: "indexState",
          args: [indexIdOf(index)],
        }),
        `${index} at ${feed as Address}`,
      ).to.not.equal(undefined);
    }

    // the relayers post a round on every index (bounded wait)
    for (const index of ["ATPI-FRONTIER", "ATPI-SMALL", "GPU-H100"]) {
      const { value } = await until(`a round on ${index}`, BOUNDED_WAIT_MS, () =>
        readLatest(client, { address: book.indexOracle, indexId: indexIdOf(index) }),
      );
      expect(value > 0n).to.equal(true);
    }
    const metricsUrl = /relayer GPU-H100\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output())![1];
    expect(await (await fetch(metricsUrl)).text()).to.contain(
      'keeper_transactions_total{outcome="confirmed",keeper="relayer"}',
    );

    // the order relay answers, follows the chain and holds the match lease
    const relayUrl = /order relay \(HTTP, \/ws\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output())![1];
    const health = (await (await fetch(`${relayUrl}/healthz`)).json()) as Record<string, unknown>;
    expect(health).to.include({ chain: "ok", matching: true });
    const relayMarkets = (await (await fetch(`${relayUrl}/markets`)).json()) as unknown[];
    expect(relayMarkets).to.have.length(Object.keys(book.markets!).length);

    child.kill("SIGINT");
    const code = await Promise.race([
      exited,
      // unref: a clean exit must not leave the timer holding the test process open
      new Promise<"timeout">((r) => setTimeout(() => r("timeout"), BOUNDED_WAIT_MS).unref()),
    ]);
    expect(code, output()).to.equal(0);
    expect(output()).to.contain("[stack] stopped");
    expect(await listening(rpcUrl)).to.equal(false);
    expect(await listening(metricsUrl)).to.equal(false);
  });
});
