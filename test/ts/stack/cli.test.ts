/**
 * The `atf` CLI against a node-backed local stack (in-process JSON-RPC server on a free loopback
 * port, deployed with Ignition, keepers posting index rounds): deposit, a resting order filled by
 * another trader with `--fill`, positions, withdraw, cancel by hash and by nonce, create-market, and
 * bad input (exit code 2) and reverts (exit code 1) with readable messages.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import hre from "hardhat";
import { createPublicClient, createWalletClient, http, parseAbi, type Hex, type PublicClient } from "viem";
import { writeContract } from "viem/actions";
import { privateKeyToAccount } from "viem/accounts";

import { run } from "../../../cli/program.js";
import { startStack, type RunningStack } from "../../../scripts/lib/stack.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import { exchangeAbi, clearinghouseAbi } from "../../../sdk/abi/index.js";
import { readLatest } from "../../../sdk/viem/index.js";
import { indexIdOf } from "../../../index/ids.js";
import { BOUNDED_WAIT_MS, SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";

interface Result {
  code: number;
  out: string;
  err: string;
}

describe("atf CLI on the local stack", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let stack: RunningStack;
  let dir: string;
  let client: PublicClient;
  const A = testAccount(14);
  const B = testAccount(15);
  const ADMIN = testAccount(3);

  const atf = async (key: Hex | undefined, ...argv: string[]): Promise<Result> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [
        "--deployment",
        stack.bookFile,
        "--rpc-url",
        stack.rpcUrl,
        "--orders-file",
        path.join(dir, "cli-orders.json"),
        "--state-file",
        path.join(dir, "cli-state.json"),
        ...argv,
      ],
      {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        env: key === undefined ? {} : { ATF_PRIVATE_KEY: key },
      },
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "atf-cli-"));
    stack = await startStack(hre, {
      host: "127.0.0.1",
      port: 0,
      metricsPortBase: 0,
      stateDir: path.join(dir, "state"),
      outDir: dir,
      logLevel: "silent",
      periodSeconds: 60,
      blockIntervalMs: 500, // blocks keep coming, so the relayers (one tick per block) keep ticking
      traderFunding: 1_000_000n,
      log: () => undefined,
    });
    client = createPublicClient({ transport: http(stack.rpcUrl) }) as PublicClient;
    // the GPU-H100 relayer posts its first round within a few ticks (bounded wait)
    const deadline = Date.now() + BOUNDED_WAIT_MS;
    for (;;) {
      try {
        await readLatest(client, { address: stack.book.indexOracle, indexId: indexIdOf("GPU-H100") });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });

  after(async function () {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const gpuNear = () =>
    stack.markets.filter((m) => m.index === "GPU-H100").sort((x, y) => x.expiry - y.expiry)[0];

  it("test_cli_help_explainsEveryCommand", async function () {
    const top = await atf(undefined, "--help");
    expect(top.code).to.equal(0);
    for (const c of [
      "markets",
      "positions",
      "deposit",
      "withdraw",
      "order",
      "create-market",
      "ATF_PRIVATE_KEY",
    ]) {
      expect(top.out).to.contain(c);
    }
    const place = await atf(undefined, "order", "place", "--help");
    expect(place.code).to.equal(0);
    expect(place.out).to.contain("--fill").and.contain("--reduce-only").and.contain("--post-only");
  });

  it("test_cli_badInput_exitsTwoWithAClearMessage", async function () {
    const notNumber = await atf(A.privateKey, "deposit", "ten");
    expect(notNumber.code).to.equal(2);
    expect(notNumber.err).to.contain('amount: "ten" is not a non-negative decimal number');
    const tooPrecise = await atf(A.privateKey, "deposit", "1.0000001");
    expect(tooPrecise.code).to.equal(2);
    expect(tooPrecise.err).to.contain("more than 6 decimals");
    const noKey = await atf(undefined, "deposit", "1");
    expect(noKey.code).to.equal(2);
    expect(noKey.err).to.contain("set ATF_PRIVATE_KEY");
    const missing = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      gpuNear().symbol,
      "--size",
      "1",
      "--price",
      "2",
    );
    expect(missing.code).to.equal(2);
    expect(missing.err).to.contain("--side");
    const badSide = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      gpuNear().symbol,
      "--side",
      "up",
      "--size",
      "1",
      "--price",
      "2",
    );
    expect(badSide.code).to.equal(2);
    expect(badSide.err).to.contain('--side: "up" is neither buy nor sell');
    const offTick = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      gpuNear().symbol,
      "--side",
      "buy",
      "--size",
      "1",
      "--price",
      "2.0005",
    );
    expect(offTick.code).to.equal(2);
    expect(offTick.err).to.contain("not a multiple of the tick $0.001");
    const unknown = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      "NOPE-1",
      "--side",
      "buy",
      "--size",
      "1",
      "--price",
      "2",
    );
    expect(unknown.code).to.equal(2);
    expect(unknown.err).to.contain('unknown market "NOPE-1"');
  });

  it("test_cli_markets_listsBothIndexKindsWithMarks", async function () {
    const r = await atf(undefined, "markets");
    expect(r.code).to.equal(0);
    const lines = r.out.split("\n");
    expect(lines.filter((l) => l.startsWith("GPU-H100-"))).to.have.length(2);
    expect(lines.filter((l) => l.startsWith("ATPI-FRONTIER-"))).to.have.length(2);
    expect(lines.find((l) => l.startsWith(gpuNear().symbol))).to.match(
      /Trading .* index \$\d+\.\d+ +mark \$\d/,
    );
  });

  it("test_cli_trade_depositPlaceFillPositionsWithdrawCancel", async function () {
    expect((await atf(A.privateKey, "deposit", "5000.5")).out).to.contain("deposited 5000.5 mUSDC");
    expect((await atf(B.privateKey, "deposit", "5000")).code).to.equal(0);
    const market = gpuNear();

    const placed = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "sell",
      "--size",
      "3",
      "--price",
      "2.4",
    );
    expect(placed.code, placed.err).to.equal(0);
    const hash = /order (0x[0-9a-f]{64})/.exec(placed.out)![1] as Hex;
    const second = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "sell",
      "--size",
      "1",
      "--price",
      "2.45",
    );
    const nonces = [placed.out, second.out].map((o) => /nonce (\d+)/.exec(o)![1]);
    expect(nonces[0]).to.not.equal(nonces[1]); // every order its own nonce

    // B takes 2 of A's 3 at A's price; B's limit 2.41 crosses 2.4 but not A's 2.45 order
    const fill = await atf(
      B.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "buy",
      "--size",
      "2",
      "--price",
      "2.41",
      "--fill",
    );
    expect(fill.code, fill.err).to.equal(0);
    expect(fill.out).to.contain(`filled 2 @ $2.4 against ${hash}`);
    expect(
      await client.readContract({
        address: stack.book.exchange,
        abi: exchangeAbi,
        functionName: "filled",
        args: [hash],
      }),
    ).to.equal(2n);

    const posB = await atf(B.privateKey, "positions");
    expect(posB.code).to.equal(0);
    expect(posB.out).to.contain(`${market.symbol}`).and.contain("size +2").and.contain("entry $2.4");
    const posA = await atf(undefined, "positions", "--account", A.address);
    expect(posA.out).to.contain("size -2");

    const fok = await atf(
      B.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "buy",
      "--size",
      "5",
      "--price",
      "2.45",
      "--fill",
      "--fok",
    );
    expect(fok.code).to.equal(1);
    expect(fok.err).to.contain("--fok: only 2 of 5 available");
    const noShort = await atf(
      B.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "buy",
      "--size",
      "1",
      "--price",
      "2.45",
      "--fill",
      "--reduce-only",
    );
    expect(noShort.code).to.equal(2);
    expect(noShort.err).to.contain("--reduce-only: no short position to reduce");

    const nothing = await atf(
      B.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "buy",
      "--size",
      "1",
      "--price",
      "2.2",
      "--fill",
    );
    expect(nothing.code).to.equal(1);
    expect(nothing.err).to.contain("no resting order of another trader crosses");

    expect((await atf(B.privateKey, "withdraw", "100")).out).to.contain("withdrew 100 mUSDC");
    const tooMuch = await atf(B.privateKey, "withdraw", "1000000");
    expect(tooMuch.code).to.equal(1);
    expect(tooMuch.err).to.match(
      /error: (InsufficientBalance|InsufficientMargin|InsufficientFreeCollateral)\w*: /,
    );

    const notMine = await atf(B.privateKey, "order", "cancel", hash);
    expect(notMine.code).to.equal(2);
    const cancel = await atf(A.privateKey, "order", "cancel", hash);
    expect(cancel.code, cancel.err).to.equal(0);
    expect(
      await client.readContract({
        address: stack.book.exchange,
        abi: exchangeAbi,
        functionName: "isNonceUsed",
        args: [A.address, BigInt(nonces[0])],
      }),
    ).to.equal(true);

    const upTo = await atf(A.privateKey, "order", "cancel", "--all-below-nonce", "10");
    expect(upTo.code, upTo.err).to.equal(0);
    expect(
      await client.readContract({
        address: stack.book.exchange,
        abi: exchangeAbi,
        functionName: "minNonce",
        args: [A.address],
      }),
    ).to.equal(10n);
    const after = await atf(
      A.privateKey,
      "order",
      "place",
      "--market",
      market.symbol,
      "--side",
      "sell",
      "--size",
      "1",
      "--price",
      "2.5",
    );
    expect(after.out).to.contain("nonce 10");
  });

  it("test_cli_createMarket_byTheMarketAdminOnly", async function () {
    const before = await client.readContract({
      address: stack.book.clearinghouse,
      abi: clearinghouseAbi,
      functionName: "marketCount",
    });
    const expiry = new Date((gpuNear().expiry + 200 * 86_400) * 1000).toISOString().slice(0, 10);
    const refused = await atf(A.privateKey, "create-market", "--index", "GPU-H100", "--expiry", expiry);
    expect(refused.code).to.equal(1);
    expect(refused.err).to.contain("AccessManagedUnauthorized");
    const created = await atf(ADMIN.privateKey, "create-market", "--index", "GPU-H100", "--expiry", expiry);
    expect(created.code, created.err).to.equal(0);
    const symbol = `GPU-H100-${expiry.replace(/-/g, "")}`;
    expect(created.out).to.contain(`created market ${symbol}`);
    expect(
      await client.readContract({
        address: stack.book.clearinghouse,
        abi: clearinghouseAbi,
        functionName: "marketCount",
      }),
    ).to.equal(before + 1);
    const book = JSON.parse(readFileSync(stack.bookFile, "utf8")) as { markets: Record<string, unknown> };
    expect(book.markets).to.have.property(symbol);
    const badIndex = await atf(ADMIN.privateKey, "create-market", "--index", "GPU-X", "--expiry", expiry);
    expect(badIndex.code).to.equal(2);
    expect(badIndex.err).to.contain('unknown index "GPU-X"');
  });

  it("test_cli_createMarket_withADelayedRoleSchedulesThenExecutes", async function () {
    // the admin (#1) gives MARKET_ADMIN to #16 with a 60 s execution delay
    const C = testAccount(16);
    const admin = createWalletClient({
      account: privateKeyToAccount(testAccount(1).privateKey),
      transport: http(stack.rpcUrl),
    });
    const grant = await writeContract(admin, {
      address: stack.book.accessManager,
      abi: parseAbi(["function grantRole(uint64 roleId, address account, uint32 executionDelay)"]),
      functionName: "grantRole",
      args: [1n, C.address, 60],
      chain: null,
    });
    await client.waitForTransactionReceipt({ hash: grant });
    const expiry = new Date((gpuNear().expiry + 100 * 86_400) * 1000).toISOString().slice(0, 10);
    const args = ["create-market", "--index", "ATPI-SMALL", "--expiry", expiry];

    const direct = await atf(C.privateKey, ...args);
    expect(direct.code).to.equal(2);
    expect(direct.err).to.contain("execution delay of 60 s").and.contain("--schedule");
    const scheduled = await atf(C.privateKey, ...args, "--schedule");
    expect(scheduled.code, scheduled.err).to.equal(0);
    expect(scheduled.out).to.contain("scheduled createMarket").and.contain("rerun with --execute");
    const early = await atf(C.privateKey, ...args, "--execute");
    expect(early.code).to.equal(1);
    expect(early.err).to.contain("AccessManagerNotReady");

    await client.request({ method: "evm_increaseTime" as never, params: [61] as never });
    await client.request({ method: "evm_mine" as never, params: [] as never });
    const executed = await atf(C.privateKey, ...args, "--execute");
    expect(executed.code, executed.err).to.equal(0);
    const symbol = `ATPI-SMALL-${expiry.replace(/-/g, "")}`;
    expect(executed.out).to.contain(`created market ${symbol}`);
    const id = (JSON.parse(readFileSync(stack.bookFile, "utf8")) as { markets: Record<string, { id: Hex }> })
      .markets[symbol].id;
    const params = await client.readContract({
      address: stack.book.clearinghouse,
      abi: clearinghouseAbi,
      functionName: "marketParams",
      args: [id],
    });
    expect(params.indexId).to.equal(indexIdOf("ATPI-SMALL"));
  });

  it("test_cli_launcher_runsAsABinaryWithExitCodes", async function () {
    const bin = path.resolve("cli", "bin.js");
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain("create-market");
    // the older launcher path forwards to the same program
    const legacy = spawnSync(process.execPath, [path.resolve("scripts", "atf.js"), "--help"], {
      encoding: "utf8",
    });
    expect(legacy.status).to.equal(0);
    expect(legacy.stdout).to.equal(help.stdout);
    const bad = spawnSync(
      process.execPath,
      [bin, "--deployment", stack.bookFile, "--rpc-url", stack.rpcUrl, "withdraw", "-1"],
      {
        encoding: "utf8",
        env: { ...process.env, ATF_PRIVATE_KEY: B.privateKey },
      },
    );
    expect(bad.status).to.equal(2);
  });
});
