import { expect } from "chai";
import { network } from "hardhat";
import { keccak256, stringToHex, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  InvalidWindowError,
  NoRoundsError,
  ProtocolContractError,
  QuorumNotMetError,
  RoundTooSoonError,
  StaleIndexError,
  StaleReportError,
  UnknownIndexError,
  WindowInFutureError,
  WindowNotCoveredError,
  indexIdOf,
  lowerMedian,
  oracleDomain,
  range,
  fallbackTwap,
  countAgreeing,
  InsufficientCoverageError,
  readCheckpoints,
  readIndex,
  readLatest,
  readTwap,
  signReportWithViem,
  submitReports,
  twap,
  valueAt,
  type SignedOracleReport,
} from "../../../sdk/index.js";

const { viem, networkHelpers } = await network.create();
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const ID = indexIdOf("ATPI-FRONTIER");
const MAX_AGE = 3600n;
const MIN_INTERVAL = 60n;
const REPORTERS = [1, 2, 3, 4, 5].map((i) =>
  privateKeyToAccount(`0x${(0x5d0000n + BigInt(i)).toString(16).padStart(64, "0")}` as Hex),
);

async function deploy() {
  const publicClient = await viem.getPublicClient();
  const [admin, relayer] = await viem.getWalletClients();
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const oracle = await viem.deployContract("IndexOracle", [manager.address]);
  await oracle.write.createIndex([
    ID,
    {
      quorum: 3,
      maxAge: Number(MAX_AGE),
      minInterval: Number(MIN_INTERVAL),
      maxDeviation: E18,
      faultBound: 1,
    },
    REPORTERS.map((r) => r.address),
  ]);
  const domain = oracleDomain(await publicClient.getChainId(), oracle.address);
  return { publicClient, admin, relayer, oracle, address: oracle.address as Address, domain };
}

type Fixture = Awaited<ReturnType<typeof deploy>>;

async function sign(f: Fixture, values: bigint[], observedAt: bigint): Promise<SignedOracleReport[]> {
  return Promise.all(
    values.map((value, i) =>
      signReportWithViem(REPORTERS[i], f.domain, {
        indexId: ID,
        value,
        observedAt,
        inputsHash: keccak256(stringToHex(`${observedAt}-${i}`)),
      }),
    ),
  );
}

/**
 * Submits `values` through the SDK in a block at `at`, waiting for the receipt. The chain is first
 * moved to `at - 4` so the simulation (at the latest block) already sees the reports, observed at
 * `at - 5`, as past.
 */
async function submitAt(f: Fixture, at: bigint, values: bigint[]) {
  const reports = await sign(f, values, at - 5n);
  await time.increaseTo(at - 4n);
  await time.setNextBlockTimestamp(at);
  const out = await submitReports(f.relayer, { address: f.address, indexId: ID, reports });
  await f.publicClient.waitForTransactionReceipt({ hash: out.hash });
  return out;
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  expect.fail("expected a revert");
}

describe("sdk/viem oracle actions", function () {
  it("test_submitReports_storesLowerMedianAndReturnsRoundId", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const t0 = BigInt(await time.latest()) + 100n;
    const values = [5n * E18, 3n * E18, 4n * E18, 6n * E18];
    const { result } = await submitAt(f, t0, values);
    expect(result).to.equal(1n);
    const latest = await readLatest(f.publicClient, { address: f.address, indexId: ID });
    expect(latest).to.deep.equal({ value: lowerMedian(values), updatedAt: t0 });
  });

  it("test_submitReports_throwsTypedErrorsAndSendsNothing", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const t0 = BigInt(await time.latest()) + 100n;
    const before = await f.publicClient.getBlockNumber();
    const tooFew = await sign(f, [E18, E18], t0 - 5n);
    const e = await catchError(
      submitReports(f.relayer, { address: f.address, indexId: ID, reports: tooFew }),
    );
    expect(e).to.be.instanceOf(QuorumNotMetError);
    expect((e as QuorumNotMetError).args).to.deep.equal({ indexId: ID, signers: 2n, quorum: 3n });
    expect(await f.publicClient.getBlockNumber()).to.equal(before);

    await submitAt(f, t0, [E18, E18, E18]);
    const soon = await sign(f, [E18, E18, E18], t0 + 1n);
    const e2 = await catchError(submitReports(f.relayer, { address: f.address, indexId: ID, reports: soon }));
    expect(e2).to.be.instanceOf(RoundTooSoonError);

    await time.increaseTo(t0 + MIN_INTERVAL + 10n);
    const stale = await sign(f, [E18, E18, E18], t0 - MAX_AGE);
    const e3 = await catchError(
      submitReports(f.relayer, { address: f.address, indexId: ID, reports: stale }),
    );
    expect(e3).to.be.instanceOf(StaleReportError);
    expect((e3 as StaleReportError).shortMessage).to.match(/^StaleReport: /);
  });

  it("test_readLatest_throwsTypedNoRoundsUnknownIndexAndStale", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const read = (indexId: Hex) => readLatest(f.publicClient, { address: f.address, indexId });
    expect(await catchError(read(ID))).to.be.instanceOf(NoRoundsError);
    expect(await catchError(read(indexIdOf("NOPE")))).to.be.instanceOf(UnknownIndexError);
    const t0 = BigInt(await time.latest()) + 10n;
    await submitAt(f, t0, [E18, E18, E18]);
    await time.increaseTo(t0 + MAX_AGE + 1n);
    const e = await catchError(read(ID));
    expect(e).to.be.instanceOf(StaleIndexError);
    expect((e as StaleIndexError).args).to.deep.equal({ indexId: ID, updatedAt: t0, maxAge: MAX_AGE });
  });

  it("test_readIndex_batchesStateReportersAndLatestCheckpoint", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const empty = await readIndex(f.publicClient, { address: f.address, indexId: ID });
    expect(empty.latest).to.equal(undefined);
    expect(empty.checkpointCount).to.equal(0n);
    expect(empty.reporters).to.deep.equal(REPORTERS.map((r) => r.address));
    expect([empty.quorum, empty.reporterCount, empty.maxAge, empty.minInterval]).to.deep.equal([
      3,
      5,
      MAX_AGE,
      MIN_INTERVAL,
    ]);
    const t0 = BigInt(await time.latest()) + 10n;
    await submitAt(f, t0, [2n * E18, 2n * E18, 2n * E18]);
    const one = await readIndex(f.publicClient, { address: f.address, indexId: ID });
    expect(one.latest).to.deep.equal({ timestamp: t0, value: 2n * E18, cumulative: 0n });
    expect(one.lastObservedAt).to.equal(t0 - 5n);
    expect(
      await catchError(readIndex(f.publicClient, { address: f.address, indexId: indexIdOf("NOPE") })),
    ).to.be.instanceOf(UnknownIndexError);
  });

  it("test_readTwap_andCoreMirror_agreeOnEveryWindowAndError", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const start = BigInt(await time.latest()) + 50n;
    // Irregular gaps and values that leave remainders, so rounding down is exercised.
    const rounds: [bigint, bigint][] = [
      [0n, 3n * E18 + 7n],
      [71n, 3n * E18 + 1n],
      [200n, 2n * E18 + 999n],
      [273n, 5n * E18 + 3n],
      [1000n, 4n * E18],
    ];
    for (const [dt, v] of rounds) await submitAt(f, start + dt, [v, v, v, v]);
    await time.increaseTo(start + 1200n);
    const now = BigInt(await time.latest());
    const checkpoints = await readCheckpoints(f.publicClient, { address: f.address, indexId: ID });
    expect(checkpoints.map((c) => c.timestamp)).to.deep.equal(rounds.map(([dt]) => start + dt));
    const ctx = { indexId: ID, now, maxAge: MAX_AGE };
    const points = [0n, 1n, 70n, 71n, 72n, 150n, 200n, 273n, 700n, 999n, 1000n, 1001n, 1200n].map(
      (d) => start + d,
    );
    for (const from of points) {
      for (const to of points) {
        if (from >= to) continue;
        const onChain = await readTwap(f.publicClient, { address: f.address, indexId: ID, from, to });
        expect(twap(checkpoints, from, to, ctx), `twap ${from - start}..${to - start}`).to.equal(onChain);
        const [min, max] = (await f.oracle.read.range([ID, from, to])) as readonly [bigint, bigint];
        expect(range(checkpoints, from, to, ctx)).to.deep.equal({ min, max });
        const fallback = (await f.oracle.read.fallbackTwap([ID, from, to])) as bigint;
        expect(fallbackTwap(checkpoints, from, to, ctx)).to.equal(fallback);
      }
      const [value, updatedAt] = (await f.oracle.read.valueAt([ID, from])) as readonly [bigint, bigint];
      expect(valueAt(checkpoints, from, ctx)).to.deep.equal({ value, updatedAt });
    }
    const partial = await readCheckpoints(f.publicClient, {
      address: f.address,
      indexId: ID,
      fromRound: 2n,
      toRound: 3n,
    });
    expect(partial).to.deep.equal(checkpoints.slice(1, 3));

    // A stale stretch: with maxAge 100 s the mirror throws the contract's coverage error and numbers.
    const staleCtx = { ...ctx, maxAge: 100n };
    let coverage: unknown;
    try {
      twap(checkpoints, start + 273n, start + 1000n, staleCtx);
    } catch (e) {
      coverage = e;
    }
    expect(coverage).to.be.instanceOf(InsufficientCoverageError);
    expect((coverage as InsufficientCoverageError).args).to.deep.equal({
      indexId: ID,
      from: start + 273n,
      to: start + 1000n,
      covered: 100n,
      required: 364n,
    });
    expect(countAgreeing([95n, 100n, 105n, 106n], 100n, E18 / 10n)).to.equal(3);

    // Bad windows: the mirror throws the class (and arguments) the contract reverts with.
    const bad: [bigint, bigint, new (...args: never[]) => ProtocolContractError][] = [
      [start + 10n, start + 10n, InvalidWindowError],
      [start + 10n, now + 5n, WindowInFutureError],
      [start - 1n, start + 10n, WindowNotCoveredError],
    ];
    for (const [from, to, Class] of bad) {
      const onChain = await catchError(
        readTwap(f.publicClient, { address: f.address, indexId: ID, from, to }),
      );
      expect(onChain).to.be.instanceOf(Class);
      let offChain: unknown;
      try {
        twap(checkpoints, from, to, ctx);
      } catch (e) {
        offChain = e;
      }
      expect(offChain).to.be.instanceOf(Class);
      expect((offChain as ProtocolContractError).args).to.deep.equal((onChain as ProtocolContractError).args);
    }
  });
});
