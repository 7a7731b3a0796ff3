import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { TypedDataEncoder, Wallet } from "ethers";
import { network } from "hardhat";
import { privateKeyToAccount } from "viem/accounts";

import {
  indexIdOf,
  lowerMedian,
  oracleDomain,
  REPORT_TYPES,
  signReportWithEthers,
  signReportWithViem,
  toSignature,
  type OracleDomain,
  type OracleReport,
  type SignedOracleReport,
} from "../../sdk/core/eip712/reports.js";

const { ethers, viem, networkHelpers } = await network.create();
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const E17 = 10n ** 17n;
const MAX_AGE = 3600n;
const MIN_INTERVAL = 60n;
const MAX_DEVIATION = E18 / 10n; // 10 %
const ID = indexIdOf("ATPI-FRONTIER");
const OTHER_ID = indexIdOf("ATPI-BUDGET");
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Deterministic reporter keys, so failures reproduce. */
const REPORTER_KEYS = [1, 2, 3, 4, 5].map((i) => ethers.toBeHex(0xbeef00n + BigInt(i), 32));

const inputsHash = (tag: string): `0x${string}` => ethers.keccak256(ethers.toUtf8Bytes(tag)) as `0x${string}`;

async function deployOracle() {
  const [admin, outsider, relayer, configurator] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const oracle = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
  const reporters = REPORTER_KEYS.map((k) => new Wallet(k));
  const domain = oracleDomain((await ethers.provider.getNetwork()).chainId, await oracle.getAddress());
  await oracle.createIndex(
    ID,
    { quorum: 3, maxAge: MAX_AGE, minInterval: MIN_INTERVAL, maxDeviation: MAX_DEVIATION, faultBound: 0 },
    reporters.map((w) => w.address),
  );
  return { admin, outsider, relayer, configurator, manager, oracle, reporters, domain };
}

type Fixture = Awaited<ReturnType<typeof deployOracle>>;

/** Reports of `values` by reporters `who` (indices into the fixture's reporters), all observed at `observedAt`. */
async function signAll(
  f: Fixture,
  who: number[],
  values: bigint[],
  observedAt: bigint,
  overrides: Partial<OracleReport> = {},
): Promise<SignedOracleReport[]> {
  return Promise.all(
    who.map((r, i) =>
      signReportWithEthers(f.reporters[r], f.domain, {
        indexId: ID,
        value: values[i],
        observedAt,
        inputsHash: inputsHash(`round-${observedAt}-reporter-${r}`),
        ...overrides,
      }),
    ),
  );
}

/** Submits `values` (reporters 0..n-1) in a block at `at`, reports observed `lag` seconds earlier. */
async function submitAt(f: Fixture, at: bigint, values: bigint[], lag = 5n) {
  const reports = await signAll(
    f,
    values.map((_, i) => i),
    values,
    at - lag,
  );
  await time.setNextBlockTimestamp(at);
  return f.oracle.submit(ID, reports);
}

async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

describe("IndexOracle", function () {
  describe("configuration", function () {
    it("test_createIndex_storesParamsAndReportersAndEmits", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const params = { quorum: 2, maxAge: 600n, minInterval: 30n, maxDeviation: E18 / 20n, faultBound: 0 };
      const reporters = f.reporters.slice(0, 3).map((w) => w.address);
      const tx = f.oracle.createIndex(OTHER_ID, params, reporters);
      await expect(tx)
        .to.emit(f.oracle, "IndexCreated")
        .withArgs(OTHER_ID, [2n, 600n, 30n, E18 / 20n, 0n], 2n); // the fixture's index is number 1
      for (const [slot, reporter] of reporters.entries()) {
        await expect(tx).to.emit(f.oracle, "ReporterAdded").withArgs(OTHER_ID, reporter, slot);
      }
      expect(await f.oracle.indexExists(OTHER_ID)).to.equal(true);
      expect(await f.oracle.indexExists(indexIdOf("NOPE"))).to.equal(false);
      const p = await f.oracle.indexParams(OTHER_ID);
      expect([p.quorum, p.maxAge, p.minInterval, p.maxDeviation]).to.deep.equal([2n, 600n, 30n, E18 / 20n]);
      const s = await f.oracle.indexState(OTHER_ID);
      expect(s.reporterCount).to.equal(3n);
      expect(s.reporterSlots).to.equal(0b111n);
      expect(s.checkpointCount).to.equal(0n);
      expect(s.lastObservedAt).to.equal(0n);
      expect(s.number).to.equal(2n);
      expect((await f.oracle.latestUnchecked(OTHER_ID))[3]).to.equal(2n);
      expect(await f.oracle.reporters(OTHER_ID)).to.deep.equal(reporters);
      expect(await f.oracle.isReporter(OTHER_ID, reporters[1])).to.equal(true);
      expect(await f.oracle.isReporter(OTHER_ID, f.reporters[4].address)).to.equal(false);
      expect(await f.oracle.checkpointCount(OTHER_ID)).to.equal(0n);
    });

    it("test_createIndex_acceptsTheBoundsThemselves", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const many = Array.from({ length: 32 }, (_, i) =>
        ethers.getAddress(ethers.toBeHex(0x1000n + BigInt(i), 20)),
      );
      await f.oracle.createIndex(
        OTHER_ID,
        { quorum: 32, maxAge: 7n * 86400n, minInterval: 7n * 86400n, maxDeviation: 10n * E18, faultBound: 0 },
        many,
      );
      await f.oracle.createIndex(
        indexIdOf("LOW"),
        { quorum: 1, maxAge: 60n, minInterval: 1n, maxDeviation: 10n ** 15n, faultBound: 0 },
        many.slice(0, 1),
      );
      expect((await f.oracle.indexState(OTHER_ID)).reporterSlots).to.equal(2n ** 32n - 1n);
      expect(await f.oracle.MAX_REPORTERS()).to.equal(32n);
      expect(await f.oracle.MIN_MAX_AGE()).to.equal(60n);
      expect(await f.oracle.MAX_MAX_AGE()).to.equal(7n * 86400n);
      expect(await f.oracle.MIN_MAX_DEVIATION()).to.equal(10n ** 15n);
      expect(await f.oracle.MAX_MAX_DEVIATION()).to.equal(10n * E18);
      expect(await f.oracle.MAX_VALUE()).to.equal(2n ** 96n - 1n);
    });

    it("test_createIndex_revertsOnBadIdsReportersAndParams", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const ok = { quorum: 2, maxAge: 600n, minInterval: 30n, maxDeviation: E18 / 20n, faultBound: 0 };
      const three = f.reporters.slice(0, 3).map((w) => w.address);
      const o = f.oracle;
      await expect(o.createIndex(ethers.ZeroHash, ok, three)).to.be.revertedWithCustomError(
        o,
        "InvalidIndexId",
      );
      await expect(o.createIndex(ID, ok, three))
        .to.be.revertedWithCustomError(o, "IndexAlreadyExists")
        .withArgs(ID);
      const many = Array.from({ length: 33 }, (_, i) =>
        ethers.getAddress(ethers.toBeHex(0x1000n + BigInt(i), 20)),
      );
      await expect(o.createIndex(OTHER_ID, ok, many))
        .to.be.revertedWithCustomError(o, "TooManyReporters")
        .withArgs(OTHER_ID, 32n);
      await expect(o.createIndex(OTHER_ID, ok, [three[0], ethers.ZeroAddress])).to.be.revertedWithCustomError(
        o,
        "ZeroAddressReporter",
      );
      await expect(o.createIndex(OTHER_ID, ok, [three[0], three[1], three[0]]))
        .to.be.revertedWithCustomError(o, "ReporterAlreadyAuthorised")
        .withArgs(OTHER_ID, three[0]);
      await expect(o.createIndex(OTHER_ID, { ...ok, quorum: 0 }, three))
        .to.be.revertedWithCustomError(o, "InvalidQuorum")
        .withArgs(0n, 3n);
      await expect(o.createIndex(OTHER_ID, { ...ok, quorum: 4 }, three))
        .to.be.revertedWithCustomError(o, "InvalidQuorum")
        .withArgs(4n, 3n);
      await expect(o.createIndex(OTHER_ID, { ...ok, maxAge: 59n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMaxAge")
        .withArgs(59n);
      await expect(o.createIndex(OTHER_ID, { ...ok, maxAge: 7n * 86400n + 1n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMaxAge")
        .withArgs(7n * 86400n + 1n);
      await expect(o.createIndex(OTHER_ID, { ...ok, minInterval: 0n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMinInterval")
        .withArgs(0n, 600n);
      await expect(o.createIndex(OTHER_ID, { ...ok, minInterval: 601n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMinInterval")
        .withArgs(601n, 600n);
      await expect(o.createIndex(OTHER_ID, { ...ok, maxDeviation: 10n ** 15n - 1n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMaxDeviation")
        .withArgs(10n ** 15n - 1n);
      await expect(o.createIndex(OTHER_ID, { ...ok, maxDeviation: 10n * E18 + 1n }, three))
        .to.be.revertedWithCustomError(o, "InvalidMaxDeviation")
        .withArgs(10n * E18 + 1n);
    });

    it("test_setIndexParams_updatesAndEmits_andChecksQuorumAgainstReporters", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const next = { quorum: 5, maxAge: 1800n, minInterval: 120n, maxDeviation: E18 / 4n, faultBound: 0 };
      await expect(f.oracle.setIndexParams(ID, next))
        .to.emit(f.oracle, "IndexParamsUpdated")
        .withArgs(ID, [5n, 1800n, 120n, E18 / 4n, 0n]);
      const p = await f.oracle.indexParams(ID);
      expect([p.quorum, p.maxAge, p.minInterval, p.maxDeviation]).to.deep.equal([5n, 1800n, 120n, E18 / 4n]);
      await expect(f.oracle.setIndexParams(ID, { ...next, quorum: 6 }))
        .to.be.revertedWithCustomError(f.oracle, "InvalidQuorum")
        .withArgs(6n, 5n);
      await expect(f.oracle.setIndexParams(OTHER_ID, next))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
    });

    it("test_addReporter_takesLowestFreeSlot_andRevertsOnBadInput", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const extra = Wallet.createRandom().address;
      await expect(f.oracle.removeReporter(ID, f.reporters[1].address))
        .to.emit(f.oracle, "ReporterRemoved")
        .withArgs(ID, f.reporters[1].address, 1n);
      expect(await f.oracle.isReporter(ID, f.reporters[1].address)).to.equal(false);
      await expect(f.oracle.addReporter(ID, extra))
        .to.emit(f.oracle, "ReporterAdded")
        .withArgs(ID, extra, 1n);
      expect(await f.oracle.reporters(ID)).to.deep.equal([
        f.reporters[0].address,
        extra,
        ...f.reporters.slice(2).map((w) => w.address),
      ]);
      await expect(f.oracle.addReporter(ID, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.oracle,
        "ZeroAddressReporter",
      );
      await expect(f.oracle.addReporter(ID, extra))
        .to.be.revertedWithCustomError(f.oracle, "ReporterAlreadyAuthorised")
        .withArgs(ID, extra);
      await expect(f.oracle.addReporter(OTHER_ID, extra))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
      for (let i = 0; i < 27; i++) await f.oracle.addReporter(ID, ethers.toBeHex(0x2000n + BigInt(i), 20));
      expect((await f.oracle.indexState(ID)).reporterCount).to.equal(32n);
      await expect(f.oracle.addReporter(ID, ethers.toBeHex(0x3000n, 20)))
        .to.be.revertedWithCustomError(f.oracle, "TooManyReporters")
        .withArgs(ID, 32n);
    });

    it("test_removeReporter_revertsOnUnknownReporterAndBelowQuorum", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const stranger = Wallet.createRandom().address;
      await expect(f.oracle.removeReporter(ID, stranger))
        .to.be.revertedWithCustomError(f.oracle, "ReporterNotAuthorised")
        .withArgs(ID, stranger);
      await expect(f.oracle.removeReporter(OTHER_ID, stranger))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
      await f.oracle.removeReporter(ID, f.reporters[4].address);
      await f.oracle.removeReporter(ID, f.reporters[3].address);
      await expect(f.oracle.removeReporter(ID, f.reporters[2].address))
        .to.be.revertedWithCustomError(f.oracle, "InvalidQuorum")
        .withArgs(3n, 2n);
    });

    it("test_configuration_isRestrictedByTheAccessManager", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const params = { quorum: 1, maxAge: 600n, minInterval: 30n, maxDeviation: E18, faultBound: 0 };
      const as = f.oracle.connect(f.outsider);
      const who = f.outsider.address;
      await expect(as.createIndex(OTHER_ID, params, [who]))
        .to.be.revertedWithCustomError(f.oracle, "AccessManagedUnauthorized")
        .withArgs(who);
      await expect(as.setIndexParams(ID, { ...params, quorum: 3 }))
        .to.be.revertedWithCustomError(f.oracle, "AccessManagedUnauthorized")
        .withArgs(who);
      await expect(as.addReporter(ID, who))
        .to.be.revertedWithCustomError(f.oracle, "AccessManagedUnauthorized")
        .withArgs(who);
      await expect(as.removeReporter(ID, f.reporters[0].address))
        .to.be.revertedWithCustomError(f.oracle, "AccessManagedUnauthorized")
        .withArgs(who);

      // A dedicated role, granted to the configurator without delay, opens exactly these functions.
      const ORACLE_ADMIN = 7n;
      const oracleAddress = await f.oracle.getAddress();
      const selectors = [
        f.oracle.interface.getFunction("addReporter").selector,
        f.oracle.interface.getFunction("removeReporter").selector,
      ];
      await f.manager.setTargetFunctionRole(oracleAddress, selectors, ORACLE_ADMIN);
      await f.manager.grantRole(ORACLE_ADMIN, f.configurator.address, 0);
      await expect(f.oracle.connect(f.configurator).addReporter(ID, who)).to.emit(f.oracle, "ReporterAdded");
      await expect(f.oracle.connect(f.configurator).setIndexParams(ID, { ...params, quorum: 3 }))
        .to.be.revertedWithCustomError(f.oracle, "AccessManagedUnauthorized")
        .withArgs(f.configurator.address);
    });
  });

  describe("submit", function () {
    it("test_submit_storesLowerMedianOfOddCount_andEmitsMedianInputsHash", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const values = [13n * E18, 11n * E18, 12n * E18];
      const reports = await signAll(f, [0, 1, 2], values, at - 7n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.connect(f.relayer).submit(ID, reports))
        .to.emit(f.oracle, "RoundAccepted")
        .withArgs(ID, 1n, 12n * E18, at - 7n, reports[2].report.inputsHash, 0b111n);
      expect(await f.oracle.latest(ID)).to.deep.equal([12n * E18, at]);
      const c = await f.oracle.checkpoint(ID, 1n);
      expect([c.timestamp, c.value, c.cumulative]).to.deep.equal([at, 12n * E18, 0n]);
      const lc = await f.oracle.latestCheckpoint(ID);
      expect(lc.value).to.equal(12n * E18);
      const s = await f.oracle.indexState(ID);
      expect(s.checkpointCount).to.equal(1n);
      expect(s.lastObservedAt).to.equal(at - 7n);
    });

    it("test_submit_storesLowerMiddleOfEvenCount", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const values = [40n * E18, 10n * E18, 30n * E18, 20n * E18];
      expect(lowerMedian(values)).to.equal(20n * E18);
      const reports = await signAll(f, [4, 3, 1, 0], values, at - 1n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, reports))
        .to.emit(f.oracle, "RoundAccepted")
        .withArgs(ID, 1n, 20n * E18, at - 1n, reports[3].report.inputsHash, 0b11011n);
    });

    it("test_submit_returnsTheNewRoundId_andTracksNewestObservedAt", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = [
        ...(await signAll(f, [0], [E18], at - 30n)),
        ...(await signAll(f, [1], [E18], at - 10n)),
        ...(await signAll(f, [2], [E18], at - 20n)),
      ];
      await time.setNextBlockTimestamp(at);
      await f.oracle.submit(ID, reports);
      expect((await f.oracle.indexState(ID)).lastObservedAt).to.equal(at - 10n);
      const later = at + MIN_INTERVAL;
      const next = await signAll(f, [0, 1, 2], [E18, E18, E18], later - 1n);
      await time.setNextBlockTimestamp(later);
      await networkHelpers.mine();
      expect(await f.oracle.submit.staticCall(ID, next)).to.equal(2n);
    });

    it("test_submit_acceptsEthersAndViemSignatures", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const [walletClient] = await viem.getWalletClients();
      await f.oracle.addReporter(ID, walletClient.account.address);
      const at = (await now()) + 100n;
      const base = { indexId: ID, observedAt: at - 3n };
      const viaEthers = await signReportWithEthers(f.reporters[0], f.domain, {
        ...base,
        value: 5n * E18,
        inputsHash: inputsHash("ethers"),
      });
      const viaViemAccount = await signReportWithViem(
        privateKeyToAccount(REPORTER_KEYS[1] as `0x${string}`),
        f.domain,
        {
          ...base,
          value: 6n * E18,
          inputsHash: inputsHash("viem-account"),
        },
      );
      const viaViemWallet = await signReportWithViem(
        { signTypedData: (args) => walletClient.signTypedData(args) },
        f.domain,
        { ...base, value: 7n * E18, inputsHash: inputsHash("viem-wallet") },
      );
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [viaEthers, viaViemAccount, viaViemWallet]))
        .to.emit(f.oracle, "RoundAccepted")
        .withArgs(ID, 1n, 6n * E18, at - 3n, inputsHash("viem-account"), 0b100011n);
    });

    it("test_reportDigest_matchesTheEip712HashOfTheHelpers", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const report: OracleReport = {
        indexId: ID,
        value: 123n,
        observedAt: 456n,
        inputsHash: inputsHash("x"),
      };
      const types = { Report: REPORT_TYPES.Report.map((x) => ({ ...x })) };
      expect(await f.oracle.reportDigest(report)).to.equal(TypedDataEncoder.hash(f.domain, types, report));
      expect(await f.oracle.REPORT_TYPEHASH()).to.equal(
        ethers.id("Report(bytes32 indexId,uint256 value,uint64 observedAt,bytes32 inputsHash)"),
      );
      const signed = await signReportWithEthers(f.reporters[0], f.domain, report);
      expect(
        ethers.recoverAddress(TypedDataEncoder.hash(f.domain, types, report), toSignature(signed)),
      ).to.equal(f.reporters[0].address);
    });

    it("test_submit_revertsOnUnknownIndexAndWrongReportCounts", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 1n);
      await expect(f.oracle.submit(OTHER_ID, reports))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
      await expect(f.oracle.submit(ID, reports.slice(0, 2)))
        .to.be.revertedWithCustomError(f.oracle, "QuorumNotMet")
        .withArgs(ID, 2n, 3n);
      await expect(f.oracle.submit(ID, []))
        .to.be.revertedWithCustomError(f.oracle, "QuorumNotMet")
        .withArgs(ID, 0n, 3n);
      const tooMany = Array.from({ length: 33 }, () => reports[0]);
      await expect(f.oracle.submit(ID, tooMany))
        .to.be.revertedWithCustomError(f.oracle, "TooManyReports")
        .withArgs(33n, 32n);
    });

    it("test_submit_revertsOnReportForDifferentIndex", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const good = await signAll(f, [0, 1], [E18, E18], at - 1n);
      const [other] = await signAll(f, [2], [E18], at - 1n, { indexId: OTHER_ID });
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [...good, other]))
        .to.be.revertedWithCustomError(f.oracle, "IndexMismatch")
        .withArgs(ID, OTHER_ID);
    });

    it("test_submit_revertsOnValueZeroOrBeyond96Bits", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      for (const bad of [0n, 2n ** 96n]) {
        const reports = await signAll(f, [0, 1, 2], [E18, bad, E18], at - 1n);
        await time.setNextBlockTimestamp(at);
        await expect(f.oracle.submit(ID, reports))
          .to.be.revertedWithCustomError(f.oracle, "ValueOutOfRange")
          .withArgs(bad);
      }
      // The largest packable value is accepted.
      const max = 2n ** 96n - 1n;
      const reports = await signAll(f, [0, 1, 2], [max, max, max], at - 1n);
      await time.setNextBlockTimestamp(at);
      await f.oracle.submit(ID, reports);
      expect((await f.oracle.latest(ID))[0]).to.equal(max);
    });

    it("test_submit_revertsOnFutureDatedReport", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = await signAll(f, [0, 1, 2], [E18, E18, E18], at + 1n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, reports))
        .to.be.revertedWithCustomError(f.oracle, "FutureReport")
        .withArgs(at + 1n, at);
    });

    it("test_submit_revertsOnStaleReport_andAcceptsExactlyMaxAge", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const stale = await signAll(f, [0, 1, 2], [E18, E18, E18], at - MAX_AGE - 1n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, stale))
        .to.be.revertedWithCustomError(f.oracle, "StaleReport")
        .withArgs(at - MAX_AGE - 1n, at - MAX_AGE);
      const oldest = await signAll(f, [0, 1, 2], [E18, E18, E18], at + 1n - MAX_AGE);
      await time.setNextBlockTimestamp(at + 1n);
      await expect(f.oracle.submit(ID, oldest)).to.emit(f.oracle, "RoundAccepted");
    });

    it("test_submit_revertsOnReplayedAndOutOfOrderReports", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const first = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 10n);
      await time.setNextBlockTimestamp(at);
      await f.oracle.submit(ID, first);

      const later = at + MIN_INTERVAL;
      await time.setNextBlockTimestamp(later);
      await expect(f.oracle.submit(ID, first))
        .to.be.revertedWithCustomError(f.oracle, "ReplayedReport")
        .withArgs(at - 10n);
      const older = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 11n);
      await time.setNextBlockTimestamp(later + 1n);
      await expect(f.oracle.submit(ID, older))
        .to.be.revertedWithCustomError(f.oracle, "OutOfOrderReport")
        .withArgs(at - 11n, at - 10n);
      // One report from the accepted round mixed into fresh ones is caught too.
      const fresh = await signAll(f, [1, 2], [E18, E18], later);
      await time.setNextBlockTimestamp(later + 2n);
      await expect(f.oracle.submit(ID, [...fresh, first[0]]))
        .to.be.revertedWithCustomError(f.oracle, "ReplayedReport")
        .withArgs(at - 10n);
    });

    it("test_submit_revertsOnHighSSignature", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 1n);
      // The malleable twin of a signature has s' = n − s > n/2. In the compact form only s' < 2^255 is
      // representable; the oracle must refuse every s above n/2 (here the smallest one).
      const highS = SECP256K1_N / 2n + 1n;
      const vs = (BigInt(reports[1].vs) & (1n << 255n)) | highS;
      const malleable = { ...reports[1], vs: ethers.toBeHex(vs, 32) as `0x${string}` };
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [reports[0], malleable, reports[2]]))
        .to.be.revertedWithCustomError(f.oracle, "InvalidSignatureS")
        .withArgs(1n, ethers.toBeHex(highS, 32));
    });

    it("test_submit_revertsOnSignatureRecoveringNoAddress", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 1n);
      const broken = { ...reports[2], r: ethers.ZeroHash as `0x${string}` };
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [reports[0], reports[1], broken]))
        .to.be.revertedWithCustomError(f.oracle, "InvalidSignature")
        .withArgs(2n);
    });

    it("test_submit_revertsOnUnknownSigner_includingTamperedReports", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const stranger = new Wallet(ethers.toBeHex(0xdeadn, 32));
      const reports = await signAll(f, [0, 1], [E18, E18], at - 1n);
      const foreign = await signReportWithEthers(stranger, f.domain, {
        indexId: ID,
        value: E18,
        observedAt: at - 1n,
        inputsHash: inputsHash("stranger"),
      });
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [...reports, foreign]))
        .to.be.revertedWithCustomError(f.oracle, "UnknownSigner")
        .withArgs(ID, stranger.address);
      // A relayer changing a signed value makes the signature recover someone else.
      const [honest] = await signAll(f, [2], [E18], at - 1n);
      const tampered = { ...honest, report: { ...honest.report, value: 2n * E18 } };
      await time.setNextBlockTimestamp(at + 1n);
      await expect(f.oracle.submit(ID, [...reports, tampered]))
        .to.be.revertedWithCustomError(f.oracle, "UnknownSigner")
        .withArgs(ID, anyValue);
      // A removed reporter is no longer authorised.
      await f.oracle.removeReporter(ID, f.reporters[2].address);
      await time.setNextBlockTimestamp(at + 3n);
      await expect(f.oracle.submit(ID, [...reports, honest]))
        .to.be.revertedWithCustomError(f.oracle, "UnknownSigner")
        .withArgs(ID, f.reporters[2].address);
    });

    it("test_submit_revertsOnDuplicateSigner", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      const reports = await signAll(f, [0, 1], [E18, E18], at - 1n);
      const [again] = await signAll(f, [0], [2n * E18], at - 2n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, [...reports, again]))
        .to.be.revertedWithCustomError(f.oracle, "DuplicateSigner")
        .withArgs(f.reporters[0].address);
    });

    it("test_submit_revertsOnRoundTooSoon_andAcceptsAtMinInterval", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      await submitAt(f, at, [E18, E18, E18]);
      await expect(submitAt(f, at + MIN_INTERVAL - 1n, [E18, E18, E18], 1n))
        .to.be.revertedWithCustomError(f.oracle, "RoundTooSoon")
        .withArgs(ID, at + MIN_INTERVAL);
      await expect(submitAt(f, at + MIN_INTERVAL, [E18, E18, E18], 1n)).to.emit(f.oracle, "RoundAccepted");
    });

    it("test_submit_largeMoveNeedsTwoThirdsOfReportersAgreeing", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      await submitAt(f, at, [10n * E18, 10n * E18, 10n * E18]);
      // Exactly 10 % is within the bound: a bare quorum suffices.
      await expect(submitAt(f, at + 60n, [11n * E18, 11n * E18, 11n * E18])).to.emit(
        f.oracle,
        "RoundAccepted",
      );
      // 11 → 12.1 is exactly 10 % again; 12.1 + 1 wei is beyond it.
      const jump = (121n * E18) / 10n + 1n;
      await expect(submitAt(f, at + 120n, [jump, jump, jump]))
        .to.be.revertedWithCustomError(f.oracle, "DeviationNeedsAgreement")
        .withArgs(ID, 11n * E18, jump, 3n, 4n);
      // ceil(2 × 5 / 3) = 4 agreeing reports carry the jump, down moves too.
      await expect(submitAt(f, at + 121n, [jump, jump, jump, jump]))
        .to.emit(f.oracle, "RoundAccepted")
        .withArgs(ID, 3n, jump, anyValue, anyValue, 0b1111n);
      await expect(submitAt(f, at + 181n, [E18, E18, E18]))
        .to.be.revertedWithCustomError(f.oracle, "DeviationNeedsAgreement")
        .withArgs(ID, jump, E18, 3n, 4n);
      await expect(submitAt(f, at + 182n, [E18, E18, E18, E18, E18])).to.emit(f.oracle, "RoundAccepted");
    });

    it("test_submit_revertsWhenBlockTimestampExceeds32Bits", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = 2n ** 32n;
      const reports = await signAll(f, [0, 1, 2], [E18, E18, E18], at - 1n);
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(ID, reports))
        .to.be.revertedWithCustomError(f.oracle, "TimestampOutOfRange")
        .withArgs(at);
      await networkHelpers.mine(); // consume the pending timestamp; the next fixture load rewinds the chain
    });
  });

  describe("reads", function () {
    it("test_latest_revertsOnUnknownIndexNoRoundsAndStaleness", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      await expect(f.oracle.latest(OTHER_ID))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
      await expect(f.oracle.latest(ID)).to.be.revertedWithCustomError(f.oracle, "NoRounds").withArgs(ID);
      await expect(f.oracle.latestCheckpoint(ID))
        .to.be.revertedWithCustomError(f.oracle, "NoRounds")
        .withArgs(ID);
      const at = (await now()) + 100n;
      await submitAt(f, at, [E18, E18, E18]);
      await time.increaseTo(at + MAX_AGE);
      expect(await f.oracle.latest(ID)).to.deep.equal([E18, at]);
      await time.increaseTo(at + MAX_AGE + 1n);
      await expect(f.oracle.latest(ID))
        .to.be.revertedWithCustomError(f.oracle, "StaleIndex")
        .withArgs(ID, at, MAX_AGE);
      // The unchecked views still answer.
      expect((await f.oracle.latestCheckpoint(ID)).value).to.equal(E18);
    });

    it("test_checkpoint_revertsOnUnknownRound", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const at = (await now()) + 100n;
      await submitAt(f, at, [E18, E18, E18]);
      await expect(f.oracle.checkpoint(ID, 0n))
        .to.be.revertedWithCustomError(f.oracle, "UnknownRound")
        .withArgs(ID, 0n);
      await expect(f.oracle.checkpoint(ID, 2n))
        .to.be.revertedWithCustomError(f.oracle, "UnknownRound")
        .withArgs(ID, 2n);
      await expect(f.oracle.checkpoint(OTHER_ID, 1n))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
    });

    /** Rounds at t0 (10), t0+100 (20), t0+300 (16), t0+400 (30). */
    async function withHistory() {
      const f = await deployOracle();
      const t0 = (await now()) + 1000n;
      await submitAt(f, t0, [10n * E18, 10n * E18, 10n * E18]);
      await submitAt(f, t0 + 100n, [20n * E18, 20n * E18, 20n * E18, 20n * E18]);
      await submitAt(f, t0 + 300n, [16n * E18, 16n * E18, 16n * E18, 16n * E18]);
      await submitAt(f, t0 + 400n, [30n * E18, 30n * E18, 30n * E18, 30n * E18]);
      await time.increaseTo(t0 + 1000n);
      return { ...f, t0 };
    }

    it("test_checkpoints_accumulateValueTimesTime", async function () {
      const f = await networkHelpers.loadFixture(withHistory);
      const cps = await Promise.all([1n, 2n, 3n, 4n].map((r) => f.oracle.checkpoint(ID, r)));
      expect(cps.map((c) => c.cumulative)).to.deep.equal([
        0n,
        10n * E18 * 100n,
        10n * E18 * 100n + 20n * E18 * 200n,
        10n * E18 * 100n + 20n * E18 * 200n + 16n * E18 * 100n,
      ]);
      expect(cps.map((c) => c.timestamp)).to.deep.equal([f.t0, f.t0 + 100n, f.t0 + 300n, f.t0 + 400n]);
      expect(await f.oracle.checkpointCount(ID)).to.equal(4n);
    });

    it("test_twap_interpolatesTheStepFunction", async function () {
      const f = await networkHelpers.loadFixture(withHistory);
      const t0 = f.t0;
      // Inside one step.
      expect(await f.oracle.twap(ID, t0 + 10n, t0 + 90n)).to.equal(10n * E18);
      // [t0+50, t0+350]: 50 s at 10, 200 s at 20, 50 s at 16 → 5300 / 300.
      expect(await f.oracle.twap(ID, t0 + 50n, t0 + 350n)).to.equal(
        (50n * 10n * E18 + 200n * 20n * E18 + 50n * 16n * E18) / 300n,
      );
      // Past the last round, the last value holds.
      expect(await f.oracle.twap(ID, t0 + 350n, t0 + 1000n)).to.equal(
        (50n * 16n * E18 + 600n * 30n * E18) / 650n,
      );
      // Exactly on checkpoints.
      expect(await f.oracle.twap(ID, t0, t0 + 100n)).to.equal(10n * E18);
      expect(await f.oracle.twap(ID, t0 + 100n, t0 + 300n)).to.equal(20n * E18);
      // Rounded down: 1 s at 10e18 and 2 s at 20e18 over 3 s is 16.666…e18.
      expect(await f.oracle.twap(ID, t0 + 99n, t0 + 102n)).to.equal((10n * E18 + 40n * E18) / 3n);
    });

    it("test_twapAndRange_revertOnBadWindows", async function () {
      const f = await networkHelpers.loadFixture(withHistory);
      const nowTs = await now();
      for (const fn of ["twap", "range"] as const) {
        await expect(f.oracle[fn](ID, f.t0 + 5n, f.t0 + 5n))
          .to.be.revertedWithCustomError(f.oracle, "InvalidWindow")
          .withArgs(f.t0 + 5n, f.t0 + 5n);
        await expect(f.oracle[fn](ID, f.t0 + 6n, f.t0 + 5n))
          .to.be.revertedWithCustomError(f.oracle, "InvalidWindow")
          .withArgs(f.t0 + 6n, f.t0 + 5n);
        await expect(f.oracle[fn](ID, f.t0, nowTs + 1n))
          .to.be.revertedWithCustomError(f.oracle, "WindowInFuture")
          .withArgs(nowTs + 1n, nowTs);
        await expect(f.oracle[fn](ID, f.t0 - 1n, f.t0 + 5n))
          .to.be.revertedWithCustomError(f.oracle, "WindowNotCovered")
          .withArgs(ID, f.t0 - 1n, f.t0);
        await expect(f.oracle[fn](OTHER_ID, 1n, 2n))
          .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
          .withArgs(OTHER_ID);
      }
    });

    it("test_twapAndRange_revertWithoutRounds", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const nowTs = await now();
      await expect(f.oracle.twap(ID, nowTs - 10n, nowTs)).to.be.revertedWithCustomError(f.oracle, "NoRounds");
      await expect(f.oracle.range(ID, nowTs - 10n, nowTs)).to.be.revertedWithCustomError(
        f.oracle,
        "NoRounds",
      );
      await expect(f.oracle.valueAt(ID, nowTs)).to.be.revertedWithCustomError(f.oracle, "NoRounds");
    });

    it("test_range_coversValueInForceAtFromAndRoundsUpToTo", async function () {
      const f = await networkHelpers.loadFixture(withHistory);
      const t0 = f.t0;
      expect(await f.oracle.range(ID, t0 + 10n, t0 + 90n)).to.deep.equal([10n * E18, 10n * E18]);
      expect(await f.oracle.range(ID, t0 + 50n, t0 + 350n)).to.deep.equal([10n * E18, 20n * E18]);
      expect(await f.oracle.range(ID, t0 + 150n, t0 + 350n)).to.deep.equal([16n * E18, 20n * E18]);
      // Closed window: a round accepted exactly at `to` counts.
      expect(await f.oracle.range(ID, t0 + 150n, t0 + 400n)).to.deep.equal([16n * E18, 30n * E18]);
      expect(await f.oracle.range(ID, t0 + 150n, t0 + 399n)).to.deep.equal([16n * E18, 20n * E18]);
      expect(await f.oracle.range(ID, t0, t0 + 1000n)).to.deep.equal([10n * E18, 30n * E18]);
    });

    it("test_valueAt_returnsTheValueInForce", async function () {
      const f = await networkHelpers.loadFixture(withHistory);
      const t0 = f.t0;
      expect(await f.oracle.valueAt(ID, t0)).to.deep.equal([10n * E18, t0]);
      expect(await f.oracle.valueAt(ID, t0 + 299n)).to.deep.equal([20n * E18, t0 + 100n]);
      expect(await f.oracle.valueAt(ID, t0 + 300n)).to.deep.equal([16n * E18, t0 + 300n]);
      expect(await f.oracle.valueAt(ID, t0 + 999n)).to.deep.equal([30n * E18, t0 + 400n]);
      await expect(f.oracle.valueAt(ID, t0 - 1n))
        .to.be.revertedWithCustomError(f.oracle, "WindowNotCovered")
        .withArgs(ID, t0 - 1n, t0);
      const nowTs = await now();
      await expect(f.oracle.valueAt(ID, nowTs + 1n))
        .to.be.revertedWithCustomError(f.oracle, "WindowInFuture")
        .withArgs(nowTs + 1n, nowTs);
      await expect(f.oracle.valueAt(OTHER_ID, t0))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
    });
  });

  describe("IndexOracleFeed", function () {
    async function withFeed() {
      const f = await deployOracle();
      const feed = await ethers.deployContract("IndexOracleFeed", [
        await f.oracle.getAddress(),
        ID,
        "ATPI-FRONTIER / USD per 1M tokens",
      ]);
      return { ...f, feed };
    }

    it("test_feed_describesItself", async function () {
      const f = await networkHelpers.loadFixture(withFeed);
      expect(await f.feed.decimals()).to.equal(18n);
      expect(await f.feed.description()).to.equal("ATPI-FRONTIER / USD per 1M tokens");
      expect(await f.feed.version()).to.equal(1n);
      expect(await f.feed.oracle()).to.equal(await f.oracle.getAddress());
      expect(await f.feed.indexId()).to.equal(ID);
    });

    it("test_feed_constructorRevertsOnUnknownIndex", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const factory = await ethers.getContractFactory("IndexOracleFeed");
      await expect(factory.deploy(await f.oracle.getAddress(), OTHER_ID, "x"))
        .to.be.revertedWithCustomError(f.oracle, "UnknownIndex")
        .withArgs(OTHER_ID);
    });

    it("test_feed_roundDataFollowsCheckpoints", async function () {
      const f = await networkHelpers.loadFixture(withFeed);
      await expect(f.feed.latestRoundData()).to.be.revertedWithCustomError(f.oracle, "NoRounds").withArgs(ID);
      await expect(f.feed.getRoundData(1n))
        .to.be.revertedWithCustomError(f.feed, "UnknownRound")
        .withArgs(1n);
      const at = (await now()) + 100n;
      await submitAt(f, at, [2n * E18, 2n * E18, 2n * E18]);
      await submitAt(f, at + 60n, [21n * E17, 21n * E17, 21n * E17]);
      expect(await f.feed.latestRoundData()).to.deep.equal([2n, 21n * E17, at + 60n, at + 60n, 2n]);
      expect(await f.feed.getRoundData(1n)).to.deep.equal([1n, 2n * E18, at, at, 1n]);
      await expect(f.feed.getRoundData(0n))
        .to.be.revertedWithCustomError(f.feed, "UnknownRound")
        .withArgs(0n);
      await expect(f.feed.getRoundData(3n))
        .to.be.revertedWithCustomError(f.feed, "UnknownRound")
        .withArgs(3n);
    });

    it("test_feed_latestRoundDataRevertsWhenStale_historyDoesNot", async function () {
      const f = await networkHelpers.loadFixture(withFeed);
      const at = (await now()) + 100n;
      await submitAt(f, at, [2n * E18, 2n * E18, 2n * E18]);
      await time.increaseTo(at + MAX_AGE + 1n);
      await expect(f.feed.latestRoundData())
        .to.be.revertedWithCustomError(f.oracle, "StaleIndex")
        .withArgs(ID, at, MAX_AGE);
      expect((await f.feed.getRoundData(1n))[1]).to.equal(2n * E18);
    });
  });

  describe("fault bound, agreement and coverage (issue 12)", function () {
    /** 5 reporters, quorum 3, f = 1, deviation 10 %, maxAge 1 h; round 1 at 100. */
    async function withFaultBound() {
      const f = await deployOracle();
      const reporters = f.reporters.map((w) => w.address);
      await f.oracle.createIndex(
        OTHER_ID,
        { quorum: 3, maxAge: MAX_AGE, minInterval: MIN_INTERVAL, maxDeviation: MAX_DEVIATION, faultBound: 1 },
        reporters,
      );
      const t0 = (await now()) + 100n;
      const first = await signAll(f, [0, 1, 2], [100n * E18, 100n * E18, 100n * E18], t0 - 1n, {
        indexId: OTHER_ID,
      });
      await time.setNextBlockTimestamp(t0);
      await f.oracle.submit(OTHER_ID, first);
      return { ...f, t0 };
    }

    it("test_faultBound_paramsEnforceThreeFPlusOneAndTwoFPlusOne", async function () {
      const f = await networkHelpers.loadFixture(deployOracle);
      const five = f.reporters.map((w) => w.address);
      const p = { quorum: 3, maxAge: 600n, minInterval: 30n, maxDeviation: E18 / 10n, faultBound: 2 };
      await expect(f.oracle.createIndex(OTHER_ID, p, five))
        .to.be.revertedWithCustomError(f.oracle, "ReportersBelowFaultBound")
        .withArgs(5n, 2n, 7n);
      await expect(f.oracle.createIndex(OTHER_ID, { ...p, faultBound: 1, quorum: 2 }, five))
        .to.be.revertedWithCustomError(f.oracle, "QuorumBelowFaultBound")
        .withArgs(2n, 1n, 3n);
      await f.oracle.createIndex(OTHER_ID, { ...p, faultBound: 1 }, five);
      expect((await f.oracle.indexParams(OTHER_ID)).faultBound).to.equal(1n);
      expect(await f.oracle.MAX_FAULT_BOUND()).to.equal(10n);
    });

    it("test_faultBound_twoColludersAndTwoHonestCannotMove100To10", async function () {
      const f = await networkHelpers.loadFixture(withFaultBound);
      const at = f.t0 + 60n;
      const reports = await signAll(
        f,
        [3, 4, 0, 1],
        [10n * E18, 10n * E18, 100n * E18, 100n * E18],
        at - 1n,
        {
          indexId: OTHER_ID,
        },
      );
      await time.setNextBlockTimestamp(at);
      await expect(f.oracle.submit(OTHER_ID, reports))
        .to.be.revertedWithCustomError(f.oracle, "DeviationNeedsAgreement")
        .withArgs(OTHER_ID, 100n * E18, 10n * E18, 2n, 4n);
    });

    it("test_twap_staleSecondsDoNotCount_fallbackTwapCountsThem", async function () {
      const f = await networkHelpers.loadFixture(withFaultBound);
      // Round 1 (100) is fresh for MAX_AGE = 1 h; nothing after it for 3 h.
      await time.increaseTo(f.t0 + 3n * MAX_AGE);
      const from = f.t0 + MAX_AGE / 2n;
      const to = f.t0 + 3n * MAX_AGE;
      const covered = MAX_AGE / 2n;
      const required = (to - from + 1n) / 2n;
      await expect(f.oracle.twap(OTHER_ID, from, to))
        .to.be.revertedWithCustomError(f.oracle, "InsufficientCoverage")
        .withArgs(OTHER_ID, from, to, covered, required);
      expect(await f.oracle.fallbackTwap(OTHER_ID, from, to)).to.equal(100n * E18);
      expect(await f.oracle.twap(OTHER_ID, f.t0, f.t0 + 2n * MAX_AGE)).to.equal(100n * E18);
      expect(await f.oracle.maxWindow(OTHER_ID)).to.equal(MIN_INTERVAL * 511n);
      expect(await f.oracle.MAX_WINDOW_ROUNDS()).to.equal(512n);
      expect(await f.oracle.MIN_TWAP_COVERAGE()).to.equal(E18 / 2n);
    });
  });

  it("test_helpers_domainTargetsTheDeployment", async function () {
    const f = await networkHelpers.loadFixture(deployOracle);
    const d: OracleDomain = f.domain;
    const [, name, version, chainId, verifyingContract] = await f.oracle.eip712Domain();
    expect([name, version, chainId, verifyingContract]).to.deep.equal([
      d.name,
      d.version,
      d.chainId,
      d.verifyingContract,
    ]);
  });
});
