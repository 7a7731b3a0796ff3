import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  numberToHex,
  type Hex,
} from "viem";

import { buildProgram } from "../../../keepers/cli.js";
import { relayerConfigSchema, reporterConfigSchema } from "../../../keepers/configs.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { ConfigError, envNameOf, loadConfig } from "../../../keepers/shell/config.js";
import { JobStore, jobKey } from "../../../keepers/shell/jobs.js";
import { KeeperMetrics } from "../../../keepers/shell/metrics.js";
import { isNonceError } from "../../../keepers/shell/nonces.js";
import { decodeRevert } from "../../../keepers/shell/sender.js";
import { backoffDelay, retry, TimeoutError, withTimeout } from "../../../keepers/shell/retry.js";
import { KeeperRunner } from "../../../keepers/shell/runner.js";
import { isTransientRpcError } from "../../../keepers/shell/transport.js";
import { clearinghouseAbi } from "../../../sdk/abi/generated/clearinghouse.js";
import { indexOracleAbi } from "../../../sdk/abi/generated/indexOracle.js";
import { RoundTooSoonError, StaleIndexError, UnknownContractError } from "../../../sdk/core/errors/index.js";
import { MockClearinghouseVenue__factory } from "../../../typechain-types/index.js";
import { configErrorOf } from "./fixtures.js";
import { FaultyProvider, makeShell, silentLogger, TriggerTimer } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create();

const ORACLE = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const KEY = `0x${"ab".repeat(32)}`;
const ACCOUNT = "0x00000000000000000000000000000000000000a1";

function tmp(name: string): string {
  return join(mkdtempSync(join(tmpdir(), "keepers-shell-")), name);
}

describe("keepers: shell", function () {
  describe("config", function () {
    const base = {
      indexName: "ATPI-FRONTIER",
      source: "prices.csv",
      oracleAddress: ORACLE,
      chainId: "31337",
    };

    it("merges file < environment < flags and applies defaults", function () {
      const file = tmp("reporter.json");
      writeFileSync(file, JSON.stringify({ ...base, periodSeconds: 60, httpPort: 1000, privateKey: KEY }));
      const config = loadConfig(reporterConfigSchema, {
        file,
        env: { KEEPER_HTTP_PORT: "2000", KEEPER_PERIOD_SECONDS: "120", KEEPER_DRY_RUN: "false" },
        flags: { periodSeconds: "300", unrelated: "x" },
      });
      expect(config.httpPort).to.equal(2000);
      expect(config.periodSeconds).to.equal(300);
      expect(config.dryRun).to.equal(false);
      expect(config.httpHost).to.equal("127.0.0.1");
      expect(config.chainId).to.equal(31337);
      expect(envNameOf("rpcUrl")).to.equal("KEEPER_RPC_URL");
    });

    it("names every bad field, unknown keys in the file, and a missing key outside dry run", function () {
      const file = tmp("bad.json");
      writeFileSync(file, JSON.stringify({ ...base, oracleAddress: "0x12", typo: 1 }));
      const error = configErrorOf(() =>
        loadConfig(reporterConfigSchema, { file, flags: { httpPort: "70000" } }),
      );
      expect(error).to.be.instanceOf(ConfigError);
      expect(error.message).to.contain(
        "oracleAddress (flag or KEEPER_ORACLE_ADDRESS): expected a 0x-prefixed 20-byte",
      );
      expect(error.message).to.contain("httpPort");
      expect(error.message).to.contain("Unrecognized key(s) in object: 'typo'");
      expect(() => loadConfig(reporterConfigSchema, { flags: base })).to.throw(
        ConfigError,
        /reportSigningKey.*required unless --dry-run/,
      );
      expect(() => loadConfig(reporterConfigSchema, { flags: { ...base, dryRun: true } })).to.not.throw();
      expect(() =>
        loadConfig(relayerConfigSchema, {
          flags: {
            indexName: "ATPI-FRONTIER",
            oracleAddress: ORACLE,
            privateKey: KEY,
            rpcUrl: "http://127.0.0.1:8545",
          },
        }),
      ).to.throw(
        ConfigError,
        /reporterUrls \(flag or KEEPER_REPORTER_URLS\): give reporterUrls and\/or reportDir/,
      );
      const relayer = loadConfig(relayerConfigSchema, {
        env: { KEEPER_REPORTER_URLS: "http://127.0.0.1:9001, http://127.0.0.1:9002" },
        flags: {
          indexName: "ATPI-FRONTIER",
          oracleAddress: ORACLE,
          privateKey: KEY,
          rpcUrl: "http://127.0.0.1:8545",
        },
      });
      expect(relayer.reporterUrls).to.deep.equal(["http://127.0.0.1:9001", "http://127.0.0.1:9002"]);
      expect(() => loadConfig(reporterConfigSchema, { file: tmp("missing.json") })).to.throw(
        ConfigError,
        /missing\.json/,
      );
    });

    it("the CLI has one command per built keeper and explains its options", function () {
      const program = buildProgram();
      expect(program.commands.map((c) => c.name())).to.deep.equal([
        "reporter",
        "relayer",
        "matcher",
        "liquidator",
        "settler",
      ]);
      const help = program.commands[1].helpInformation();
      expect(help).to.contain("--reporter-urls <urls>");
      expect(help).to.contain("--dry-run");
      expect(help).to.contain("--job-store-path <file>");
    });
  });

  describe("retry, timeouts, jobs", function () {
    it("backs off exponentially with full jitter under a cap", function () {
      expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, 100, 500, () => 0.999999))).to.deep.equal([
        100, 200, 400, 500, 500,
      ]);
      expect(backoffDelay(3, 100, 500, () => 0)).to.equal(0);
    });

    it("retries transient errors on the injected clock and rethrows the others at once", async function () {
      const clock = new ManualClock(0);
      let calls = 0;
      const value = await retry(
        async () => {
          if (++calls < 3) throw FaultyProvider.unavailable();
          return "ok";
        },
        { attempts: 5, baseMs: 100, maxMs: 1000, clock, random: () => 0.5, retryable: isTransientRpcError },
      );
      expect(value).to.equal("ok");
      expect(clock.sleeps).to.deep.equal([50, 100]);
      calls = 0;
      const fatal = new Error("execution reverted");
      await retry(
        async () => {
          calls++;
          throw fatal;
        },
        { attempts: 5, baseMs: 100, maxMs: 1000, clock, retryable: isTransientRpcError },
      ).catch((e: unknown) => expect(e).to.equal(fatal));
      expect(calls).to.equal(1);
      expect(isTransientRpcError({ code: -32005 })).to.equal(true);
      expect(isTransientRpcError({ code: 3, message: "execution reverted" })).to.equal(false);
      expect(isNonceError(new Error("Nonce too low. Expected nonce to be 2 but got 1."))).to.equal(true);
    });

    it("times a hung call out with the injected timer", async function () {
      const timer = new TriggerTimer();
      timer.armNext();
      await withTimeout(new Promise(() => undefined), 1000, timer, "eth_call").then(
        () => expect.fail("no timeout"),
        (e: unknown) => expect(e).to.be.instanceOf(TimeoutError),
      );
      expect(await withTimeout(Promise.resolve(7), 1000, new TriggerTimer(), "eth_call")).to.equal(7);
    });

    it("persists jobs to a file and reloads them", function () {
      const path = tmp("jobs.json");
      const store = new JobStore(path);
      const key = jobKey("relayer", "ATPI-FRONTIER", 1_700_000_000n);
      expect(key).to.equal("relayer/ATPI-FRONTIER/1700000000");
      store.put(key, { status: "sent", txHashes: ["0x01"], nonce: 4 }, 10);
      const reloaded = new JobStore(path);
      expect(reloaded.get(key)).to.deep.include({ status: "sent", nonce: 4, updatedAtMs: 10 });
      expect(reloaded.inFlight().map((j) => j.key)).to.deep.equal([key]);
    });
  });

  describe("loop and shutdown", function () {
    it("ticks once per new block, counts failed ticks without stopping, and stops after the current tick on abort", async function () {
      const clock = new ManualClock(0);
      const metrics = new KeeperMetrics("loop");
      const controller = new AbortController();
      let polls = 0n;
      const blockAt = (n: bigint) => ({ number: n, hash: numberToHex(n, { size: 32 }), timestamp: n });
      let ticks = 0;
      const runner = new KeeperRunner({
        keeper: {
          tick: async () => {
            ticks++;
            if (ticks === 2) throw new Error("flaky");
            if (ticks === 3) controller.abort(); // shutdown arrives during this tick: it still completes
          },
        },
        clock,
        log: silentLogger(),
        metrics,
        pollIntervalMs: 1000,
        // a new block every second poll
        blocks: {
          getBlock: async (args) =>
            "blockNumber" in args ? blockAt(args.blockNumber) : blockAt(++polls / 2n),
        },
      });
      await runner.run(controller.signal);
      expect(ticks).to.equal(3);
      expect(runner.stopping()).to.equal(true);
      const outcomes = (await metrics.ticks.get()).values.map((v) => [v.labels.outcome, v.value]);
      expect(outcomes).to.deep.equal([
        ["ok", 2],
        ["error", 1],
      ]);
    });
  });

  describe("revert decoding", function () {
    const indexId = `0x${"11".repeat(32)}` as Hex;
    /** A revert as viem's `simulateContract` throws it: the execution error around the reverted one. */
    const simulationError = (
      abi: typeof clearinghouseAbi | typeof indexOracleAbi,
      functionName: string,
      data: Hex,
    ) =>
      new ContractFunctionExecutionError(new ContractFunctionRevertedError({ abi, data, functionName }), {
        abi,
        functionName,
        // the call's arguments only go into the message: placeholders of the right count
        args: functionName === "submit" ? [indexId, []] : [ACCOUNT, indexId, 1n, 1n],
      });

    it("decodes a custom error of the called contract to its name, positional args and the SDK's class", function () {
      const data = encodeErrorResult({
        abi: indexOracleAbi,
        errorName: "RoundTooSoon",
        args: [indexId, 1_000n],
      });
      const revert = decodeRevert(simulationError(indexOracleAbi, "submit", data));
      expect(revert.name).to.equal("RoundTooSoon");
      expect(revert.args).to.deep.equal([indexId, 1_000n]);
      expect(revert.error).to.be.instanceOf(RoundTooSoonError);
      expect(revert.message).to.contain("submit");
    });

    it("decodes an oracle error that bubbled through the Clearinghouse, which the call's ABI lacks", function () {
      const data = encodeErrorResult({
        abi: indexOracleAbi,
        errorName: "StaleIndex",
        args: [indexId, 5n, 60n],
      });
      const revert = decodeRevert(simulationError(clearinghouseAbi, "liquidate", data));
      expect(revert.name).to.equal("StaleIndex");
      expect(revert.args).to.deep.equal([indexId, 5n, 60n]);
      expect(revert.error).to.be.instanceOf(StaleIndexError);
    });

    it("keeps a reason string as `Error` with the reason, typed as UnknownContractError", function () {
      const data = encodeErrorResult({
        abi: [{ type: "error", name: "Error", inputs: [{ name: "message", type: "string" }] }],
        errorName: "Error",
        args: ["no"],
      });
      const revert = decodeRevert(simulationError(clearinghouseAbi, "liquidate", data));
      expect(revert.name).to.equal("Error");
      expect(revert.args).to.deep.equal(["no"]);
      expect(revert.error).to.be.instanceOf(UnknownContractError);
    });

    it("leaves an error that is not a revert as `unknown` without a typed error", function () {
      const revert = decodeRevert(new Error("socket hang up"));
      expect(revert).to.deep.equal({
        name: "unknown",
        args: [],
        message: "Error: socket hang up",
        error: undefined,
      });
    });
  });

  describe("fee bumping", function () {
    it("replaces a stuck transaction with higher fees on the same nonce; only one is mined", async function () {
      const venue = await ethers.deployContract("MockClearinghouseVenue");
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const shell = makeShell(provider, clock, {
        sender: { stuckAfterMs: 3_000, maxFeeBumps: 2, receiptPollMs: 1_000 },
      });
      await networkHelpers.setBalance(shell.account.address, 10n ** 20n);
      await provider.request({ method: "evm_setAutomine", params: [false] });
      try {
        const call = {
          address: (await venue.getAddress()) as Hex,
          abi: MockClearinghouseVenue__factory.abi,
          functionName: "setRecording",
          args: [true],
        };
        const key = jobKey("test", "venue", 1);
        const stuck = await shell.sender.execute(key, call);
        expect(stuck.status).to.equal("stuck");
        const job = shell.jobs.get(key);
        expect(job?.txHashes).to.have.length(3);
        const fees = await Promise.all(
          (job?.txHashes ?? []).map(
            async (h) => (await ethers.provider.getTransaction(h))?.maxFeePerGas ?? 0n,
          ),
        );
        // only the latest replacement is still in the pool
        expect(fees.slice(0, 2)).to.deep.equal([0n, 0n]);
        expect(fees[2] > 0n).to.equal(true);
        await networkHelpers.mine();
        await shell.sender.recover();
        expect(shell.jobs.get(key)?.status).to.equal("confirmed");
        expect(await ethers.provider.getTransactionCount(shell.account.address)).to.equal(1);
        expect(await shell.sender.execute(key, call)).to.deep.include({ status: "duplicate" });
        expect((await shell.metrics.feeBumps.get()).values[0].value).to.equal(2);
      } finally {
        await provider.request({ method: "evm_setAutomine", params: [true] });
      }
    });
  });
});
