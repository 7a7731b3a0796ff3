/**
 * Clearinghouse core: collateral, markets and bounds, trades, mark price and margin views, for a
 * 6-decimal and an 18-decimal collateral.
 */
import { expect } from "chai";
import { AbiCoder, keccak256 } from "ethers";
import { network } from "hardhat";

import {
  CLEARINGHOUSE_LIBRARIES,
  DAY,
  INDEX_ID,
  WAD,
  defaultRisk,
  defaultTerms,
  deployBareClearinghouse,
  deployClearinghouse,
  deployClearinghouseLibraries,
  type Fixture,
  type MarketParamsStruct,
} from "./helpers/clearinghouseFixture.js";
import { underCoverage } from "./helpers/coverage.js";

const { ethers, networkHelpers } = await network.create();
const YEAR = 365n * 86_400n;

const PARAMS_TUPLE = "tuple(bytes32,bytes32,uint64,uint128,uint128,uint64,uint32)";
const encodeParams = (p: MarketParamsStruct) =>
  AbiCoder.defaultAbiCoder().encode(
    [PARAMS_TUPLE],
    [[p.indexId, p.methodologyHash, p.expiry, p.contractSize, p.tickSize, p.minSize, p.settlementWindow]],
  );

/** Reference mark: index * (1 + basis * tau), integer maths as on-chain (division truncates). */
function refMark(index: bigint, basis: bigint, expiry: bigint, now: bigint): bigint {
  if (now >= expiry) return index;
  const tau = ((expiry - now) * WAD) / YEAR;
  const factor = WAD + (basis * tau) / WAD;
  return (index * factor) / WAD;
}
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

for (const decimals of [6, 18]) {
  describe(`Clearinghouse core (${decimals}-decimal collateral)`, function () {
    const deploy = () => deployClearinghouse(ethers, networkHelpers, decimals);
    const load = () => networkHelpers.loadFixture(deploy);

    /** Alice and bob funded with 20,000 dollars each; alice buys 10 contracts from bob at 10 dollars. */
    async function withPositions(): Promise<Fixture> {
      const f = await load();
      await f.fund(f.alice, "20000");
      await f.fund(f.bob, "20000");
      await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD);
      return f;
    }

    describe("construction", function () {
      it("constructor_revertsOnCollateralAbove18Decimals", async function () {
        const f = await load();
        const bad = await ethers.deployContract("MockERC20", ["Bad", "BAD", 19]);
        const factory = await ethers.getContractFactory("Clearinghouse", {
          libraries: await deployClearinghouseLibraries(ethers),
        });
        await expect(factory.deploy(f.manager, bad, f.oracle, f.treasury.address))
          .to.be.revertedWithCustomError(f.ch, "CollateralDecimalsTooHigh")
          .withArgs(19);
        await expect(
          factory.deploy(f.manager, f.token, ethers.ZeroAddress, f.treasury.address),
        ).to.be.revertedWithCustomError(f.ch, "ZeroAddress");
      });

      it("constructor_readsDecimalsIntoScale", async function () {
        const f = await load();
        expect(await f.ch.collateralScale()).to.equal(10n ** BigInt(18 - decimals));
        expect(await f.ch.collateral()).to.equal(await f.token.getAddress());
        expect(await f.ch.oracle()).to.equal(await f.oracle.getAddress());
      });
    });

    describe("collateral", function () {
      it("deposit_creditsBalanceAndEmits", async function () {
        const f = await load();
        const amount = f.usd("1234.5");
        await f.token.mint(f.alice.address, amount);
        await f.token.connect(f.alice).approve(f.ch, amount);
        await expect(f.ch.connect(f.alice).deposit(amount))
          .to.emit(f.ch, "Deposited")
          .withArgs(f.alice.address, f.alice.address, amount);
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(amount);
        expect(await f.token.balanceOf(f.ch)).to.equal(amount);
      });

      it("depositFor_creditsTheBeneficiary", async function () {
        const f = await load();
        const amount = f.usd("10");
        await f.token.mint(f.alice.address, amount);
        await f.token.connect(f.alice).approve(f.ch, amount);
        await expect(f.ch.connect(f.alice).depositFor(f.bob.address, amount))
          .to.emit(f.ch, "Deposited")
          .withArgs(f.bob.address, f.alice.address, amount);
        expect((await f.ch.accountOf(f.bob.address)).balance).to.equal(amount);
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(0n);
        await expect(f.ch.connect(f.alice).depositFor(ethers.ZeroAddress, 1n)).to.be.revertedWithCustomError(
          f.ch,
          "ZeroAddress",
        );
      });

      it("deposit_revertsOnZeroAmount", async function () {
        const f = await load();
        await expect(f.ch.connect(f.alice).deposit(0n)).to.be.revertedWithCustomError(f.ch, "ZeroAmount");
      });

      it("withdraw_withoutPositionsPaysOutEvenWhenStaleAndPaused", async function () {
        const f = await load();
        await f.fund(f.alice, "100");
        await f.oracle.setStale(INDEX_ID, true);
        await f.ch.setGlobalPaused(true);
        await f.ch.setMarketPaused(f.marketId, true);
        await expect(f.ch.connect(f.alice).withdraw(f.usd("40")))
          .to.emit(f.ch, "Withdrawn")
          .withArgs(f.alice.address, f.usd("40"));
        expect(await f.token.balanceOf(f.alice.address)).to.equal(f.usd("40"));
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("60"));
      });

      it("deposits_neverBlockedByPause", async function () {
        const f = await load();
        await f.ch.setGlobalPaused(true);
        await f.ch.setMarketPaused(f.marketId, true);
        await f.fund(f.alice, "100");
        await f.token.mint(f.bob.address, f.usd("5"));
        await f.token.connect(f.bob).approve(f.ch, f.usd("5"));
        await f.ch.connect(f.bob).depositInsurance(f.usd("5"));
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("100"));
        expect(await f.ch.insuranceFund()).to.equal(f.usd("5"));
      });

      it("withdraw_revertsAboveBalance", async function () {
        const f = await load();
        await f.fund(f.alice, "100");
        const balance = f.usd("100");
        await expect(f.ch.connect(f.alice).withdraw(balance + 1n))
          .to.be.revertedWithCustomError(f.ch, "InsufficientBalance")
          .withArgs(f.alice.address, balance, balance + 1n);
        await expect(f.ch.connect(f.alice).withdraw(0n)).to.be.revertedWithCustomError(f.ch, "ZeroAmount");
      });

      it("withdraw_withPositionKeepsInitialMargin", async function () {
        const f = await withPositions();
        // Alice: 20,000 - 50 fee; IM = 10 % of 100,000 = 10,000; free = 9,950.
        expect(await f.ch.freeCollateral(f.alice.address)).to.equal(f.usd("9950"));
        const tooMuch = f.usd("9950") + 1n;
        await expect(f.ch.connect(f.alice).withdraw(tooMuch)).to.be.revertedWithCustomError(
          f.ch,
          "InsufficientMargin",
        );
        await f.ch.connect(f.alice).withdraw(f.usd("9950"));
        const [equity, im] = await f.ch.health(f.alice.address);
        expect(equity).to.equal(im);
      });

      it("withdraw_withPositionRevertsOnStaleIndexButNotOnPause", async function () {
        const f = await withPositions();
        await f.ch.setGlobalPaused(true);
        await f.ch.connect(f.alice).withdraw(f.usd("1"));
        // The stale mock pushes time 1 with maxAge 0: the Clearinghouse's copy is stale.
        await f.oracle.setStale(INDEX_ID, true);
        await expect(f.ch.connect(f.alice).withdraw(f.usd("1")))
          .to.be.revertedWithCustomError(f.ch, "StaleIndex")
          .withArgs(INDEX_ID, 1n, 0n);
      });

      it("depositInsurance_andTreasuryWithdrawal", async function () {
        const f = await withPositions();
        // fees: taker 50 + maker 20 = 70, half to insurance.
        expect(await f.ch.insuranceFund()).to.equal(f.usd("35"));
        expect(await f.ch.treasuryAccrued()).to.equal(f.usd("35"));
        await f.token.mint(f.carol.address, f.usd("5"));
        await f.token.connect(f.carol).approve(f.ch, f.usd("5"));
        await expect(f.ch.connect(f.carol).depositInsurance(f.usd("5")))
          .to.emit(f.ch, "InsuranceDeposited")
          .withArgs(f.carol.address, f.usd("5"));
        expect(await f.ch.insuranceFund()).to.equal(f.usd("40"));
        await expect(f.ch.connect(f.carol).withdrawTreasury())
          .to.emit(f.ch, "TreasuryWithdrawn")
          .withArgs(f.treasury.address, f.usd("35"));
        expect(await f.token.balanceOf(f.treasury.address)).to.equal(f.usd("35"));
        await expect(f.ch.withdrawTreasury()).to.be.revertedWithCustomError(f.ch, "NothingToWithdraw");
      });
    });

    describe("markets and bounds", function () {
      it("createMarket_idIsHashOfParamsAndIndexesAreSequential", async function () {
        const f = await load();
        expect(f.marketId).to.equal(keccak256(encodeParams(f.params)));
        expect(await f.ch.marketIdAt(1)).to.equal(f.marketId);
        const second = await f.createMarket(30);
        expect(await f.ch.marketIdAt(2)).to.equal(second);
        expect(await f.ch.marketCount()).to.equal(2n);
        const stored = await f.ch.marketParams(f.marketId);
        expect(stored.expiry).to.equal(f.params.expiry);
        expect(stored.contractSize).to.equal(f.params.contractSize);
        expect(await f.ch.marketStatus(f.marketId)).to.equal(0n);
      });

      it("createMarket_revertsOnDuplicateAndUnauthorised", async function () {
        const f = await load();
        await expect(f.ch.createMarket(f.params, defaultRisk(), defaultTerms()))
          .to.be.revertedWithCustomError(f.ch, "MarketAlreadyExists")
          .withArgs(f.marketId);
        await expect(
          f.ch.connect(f.alice).createMarket({ ...f.params, minSize: 2n }, defaultRisk(), defaultTerms()),
        ).to.be.revertedWithCustomError(f.ch, "AccessManagedUnauthorized");
      });

      it("createMarket_enforcesFixedParameterBounds", async function () {
        const f = await load();
        const now = BigInt(await networkHelpers.time.latest());
        const p = { ...f.params, minSize: 7n };
        const r = defaultRisk();
        const t = defaultTerms();
        await expect(f.ch.createMarket({ ...p, expiry: now }, r, t)).to.be.revertedWithCustomError(
          f.ch,
          "ExpiryOutOfBounds",
        );
        await expect(
          f.ch.createMarket({ ...p, expiry: now + 400n * 86_400n }, r, t),
        ).to.be.revertedWithCustomError(f.ch, "ExpiryOutOfBounds");
        await expect(f.ch.createMarket({ ...p, contractSize: 0n }, r, t)).to.be.revertedWithCustomError(
          f.ch,
          "ContractSizeOutOfBounds",
        );
        await expect(f.ch.createMarket({ ...p, tickSize: 0n }, r, t)).to.be.revertedWithCustomError(
          f.ch,
          "TickSizeOutOfBounds",
        );
        await expect(f.ch.createMarket({ ...p, minSize: 0n }, r, t)).to.be.revertedWithCustomError(
          f.ch,
          "MinSizeOutOfBounds",
        );
        await expect(f.ch.createMarket({ ...p, settlementWindow: 10n }, r, t)).to.be.revertedWithCustomError(
          f.ch,
          "SettlementWindowOutOfBounds",
        );
        await expect(f.ch.createMarket(p, r, { ...t, disputeWindow: 60n })).to.be.revertedWithCustomError(
          f.ch,
          "DisputeWindowOutOfBounds",
        );
        await expect(f.ch.createMarket(p, r, { ...t, fallbackDelay: 3_600n })).to.be.revertedWithCustomError(
          f.ch,
          "FallbackDelayOutOfBounds",
        );
      });

      it("setRiskParams_enforcesEachHardBound", async function () {
        const f = await load();
        const id = f.marketId;
        const r = defaultRisk();
        const cases: [Partial<typeof r>, string][] = [
          [{ imr: 0n }, "ImrOutOfBounds"],
          [{ imr: WAD + 1n }, "ImrOutOfBounds"],
          [{ mmr: 0n }, "MmrOutOfBounds"],
          [{ mmr: r.imr }, "MmrOutOfBounds"],
          [{ liquidationPenalty: r.mmr }, "LiquidationPenaltyOutOfBounds"],
          [{ maxPositionSize: 0n }, "MaxPositionSizeOutOfBounds"],
          [{ maxOpenInterest: 0n }, "MaxOpenInterestOutOfBounds"],
          [{ priceBand: 0n }, "PriceBandOutOfBounds"],
          [{ priceBand: WAD }, "PriceBandOutOfBounds"],
          [{ makerFee: WAD / 100n + 1n }, "MakerFeeOutOfBounds"],
          [{ takerFee: WAD / 100n + 1n }, "TakerFeeOutOfBounds"],
          [{ basisWeight: 0n }, "BasisWeightOutOfBounds"],
          [{ maxBasisRate: WAD }, "MaxBasisRateOutOfBounds"],
          [{ maxBasisStep: r.maxBasisRate + 1n }, "MaxBasisStepOutOfBounds"],
          [{ basisDepth: 0n }, "BasisDepthOutOfBounds"],
          [{ basisDepth: 2n ** 56n }, "BasisDepthOutOfBounds"],
        ];
        for (const [change, error] of cases) {
          await expect(f.ch.setRiskParams(id, { ...r, ...change }), error).to.be.revertedWithCustomError(
            f.ch,
            error,
          );
        }
        const next = { ...r, imr: WAD / 5n };
        await expect(f.ch.setRiskParams(id, next)).to.emit(f.ch, "RiskParamsSet");
        expect((await f.ch.riskParams(id)).imr).to.equal(WAD / 5n);
        await expect(f.ch.setRiskParams(ethers.ZeroHash, r))
          .to.be.revertedWithCustomError(f.ch, "UnknownMarket")
          .withArgs(ethers.ZeroHash);
        await expect(f.ch.setFeeShares(WAD + 1n, 0n)).to.be.revertedWithCustomError(f.ch, "ShareOutOfBounds");
      });

      it("roles_riskAdminActsOnlyThroughItsDelay", async function () {
        const f = await load();
        const RISK_ADMIN = 2n;
        const delay = 86_400n;
        const selector = f.ch.interface.getFunction("setRiskParams").selector;
        await f.manager.setTargetFunctionRole(f.ch, [selector], RISK_ADMIN);
        await f.manager.grantRole(RISK_ADMIN, f.carol.address, delay);
        const data = f.ch.interface.encodeFunctionData("setRiskParams", [
          f.marketId,
          { ...defaultRisk(), imr: WAD / 4n },
        ]);
        await expect(
          f.ch.connect(f.carol).setRiskParams(f.marketId, defaultRisk()),
        ).to.be.revertedWithCustomError(f.manager, "AccessManagerNotScheduled");
        await f.manager.connect(f.carol).schedule(f.ch, data, 0n);
        await expect(f.manager.connect(f.carol).execute(f.ch, data)).to.be.revertedWithCustomError(
          f.manager,
          "AccessManagerNotReady",
        );
        await networkHelpers.time.increase(delay);
        await f.manager.connect(f.carol).execute(f.ch, data);
        expect((await f.ch.riskParams(f.marketId)).imr).to.equal(WAD / 4n);
        // The admin no longer holds the function once it is assigned to the risk role.
        await expect(f.ch.setRiskParams(f.marketId, defaultRisk())).to.be.revertedWithCustomError(
          f.ch,
          "AccessManagedUnauthorized",
        );
      });

      it("admin_settersEmitAndRejectZeroAddresses", async function () {
        const f = await load();
        await expect(f.ch.setTreasury(ethers.ZeroAddress)).to.be.revertedWithCustomError(f.ch, "ZeroAddress");
        await expect(f.ch.setTreasury(f.carol.address))
          .to.emit(f.ch, "TreasurySet")
          .withArgs(f.carol.address);
        expect(await f.ch.treasury()).to.equal(f.carol.address);
        await expect(f.ch.setVenue(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(
          f.ch,
          "ZeroAddress",
        );
        await expect(f.ch.setVenue(f.carol.address, true))
          .to.emit(f.ch, "VenueSet")
          .withArgs(f.carol.address, true);
        expect(await f.ch.isVenue(f.carol.address)).to.equal(true);
        await expect(f.ch.setGlobalPaused(true)).to.emit(f.ch, "GlobalPausedSet").withArgs(true);
        expect(await f.ch.globalPaused()).to.equal(true);
        await expect(f.ch.setMarketPaused(f.marketId, true))
          .to.emit(f.ch, "MarketPausedSet")
          .withArgs(f.marketId, true);
        expect((await f.ch.marketState(f.marketId)).paused).to.equal(true);
        expect(await f.ch.feeShares()).to.deep.equal([WAD / 2n, WAD / 2n]);
      });
    });

    describe("trade", function () {
      it("trade_booksPositionsAndChargesFeesRoundedUp", async function () {
        const f = await load();
        await f.fund(f.alice, "20000");
        await f.fund(f.bob, "20000");
        await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, 10n, 10n * WAD))
          .to.emit(f.ch, "Traded")
          .withArgs(
            f.marketId,
            f.bob.address,
            f.alice.address,
            10n,
            10n * WAD,
            f.usd("20"),
            f.usd("50"),
            0n,
            ethers.ZeroHash, // the test venue has no orders
            ethers.ZeroHash,
          );
        const v = 10n * WAD * 1000n; // value of one contract at 10 dollars, wad
        expect(await f.ch.position(f.alice.address, f.marketId)).to.deep.equal([10n, 10n * v]);
        expect(await f.ch.position(f.bob.address, f.marketId)).to.deep.equal([-10n, -10n * v]);
        expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(10n);
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("19950"));
        expect((await f.ch.accountOf(f.bob.address)).balance).to.equal(f.usd("19980"));
        const state = await f.ch.marketState(f.marketId);
        expect(state.openInterest).to.equal(10n);
        expect(state.openPositions).to.equal(2n);
        expect((await f.ch.accountOf(f.alice.address)).openMarkets).to.deep.equal([f.marketId]);
      });

      it("trade_roundsFractionalFeesUpToACollateralUnit", async function () {
        const f = await load();
        await f.fund(f.alice, "20000");
        await f.fund(f.bob, "20000");
        // 1 contract at 10.001: notional 10,001 dollars, taker fee 5 bp = 5.0005 dollars.
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10_001n * (WAD / 1000n));
        const feeWad = (10_001n * WAD * 5n) / 10_000n;
        const fee = ceilDiv(feeWad, f.scale);
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(f.usd("20000") - fee);
      });

      it("trade_escrowsGainWhenReducingAndFlipping", async function () {
        const f = await withPositions();
        await f.fund(f.carol, "50000");
        await f.oracle.setValue(INDEX_ID, 11n * WAD);
        const before = (await f.ch.accountOf(f.alice.address)).balance;
        // Alice sells 15 to carol at 11: closes 10 (gain 10,000) and opens 5 short. The gain is escrowed in the
        // cost basis until settlement: the balance pays only the fee.
        await f.venue.trade(f.marketId, f.carol.address, f.alice.address, -15n, 11n * WAD);
        const notional = 15n * 11n * 1000n * WAD;
        const fee = ceilDiv((notional * 5n) / 10_000n, f.scale);
        expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(before - fee);
        expect(await f.ch.position(f.alice.address, f.marketId)).to.deep.equal([
          -5n,
          -5n * 11n * 1000n * WAD - 10_000n * WAD,
        ]);
        expect((await f.ch.marketState(f.marketId)).openInterest).to.equal(15n);
      });

      it("trade_revertsOnBadInputs", async function () {
        const f = await withPositions();
        const id = f.marketId;
        const a = f.alice.address;
        const b = f.bob.address;
        await expect(f.ch.connect(f.alice).trade(id, b, a, 1n, 10n * WAD, ethers.ZeroHash))
          .to.be.revertedWithCustomError(f.ch, "UnauthorizedVenue")
          .withArgs(f.alice.address);
        await expect(f.venue.trade(id, a, a, 1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "SelfTrade")
          .withArgs(a);
        await expect(f.venue.trade(id, b, a, 0n, 10n * WAD)).to.be.revertedWithCustomError(f.ch, "ZeroSize");
        await expect(f.venue.trade(id, b, a, 1n, 0n)).to.be.revertedWithCustomError(f.ch, "ZeroPrice");
        await expect(f.venue.trade(id, b, a, 1n, 10n * WAD + 1n))
          .to.be.revertedWithCustomError(f.ch, "PriceNotOnTick")
          .withArgs(10n * WAD + 1n, WAD / 1000n);
        await expect(f.venue.trade(id, b, a, 1n, 12n * WAD))
          .to.be.revertedWithCustomError(f.ch, "PriceOutsideBand")
          .withArgs(12n * WAD, 10n * WAD, WAD / 10n);
        await expect(f.venue.trade(ethers.ZeroHash, b, a, 1n, 10n * WAD)).to.be.revertedWithCustomError(
          f.ch,
          "UnknownMarket",
        );
      });

      it("trade_revertsBelowMinimumSize", async function () {
        const f = await withPositions();
        const now = BigInt(await networkHelpers.time.latest());
        const p = { ...f.params, minSize: 5n, expiry: now + 30n * BigInt(DAY) };
        await f.ch.createMarket(p, defaultRisk(), defaultTerms());
        const id = await f.ch.marketId(p);
        await expect(f.venue.trade(id, f.bob.address, f.alice.address, 4n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "SizeBelowMinimum")
          .withArgs(4n, 5n);
      });

      it("trade_revertsWhenStaleOrExpired", async function () {
        const f = await withPositions();
        await f.oracle.setStale(INDEX_ID, true);
        await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "StaleIndex")
          .withArgs(INDEX_ID, 1n, 0n);
        await f.oracle.setValue(INDEX_ID, 10n * WAD);
        await networkHelpers.time.increaseTo(f.params.expiry);
        await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "MarketExpired")
          .withArgs(f.marketId, f.params.expiry);
        expect(await f.ch.marketStatus(f.marketId)).to.equal(1n);
      });

      it("trade_pauseAllowsOnlyReduceOnlyTrades", async function () {
        const f = await withPositions();
        await f.fund(f.carol, "20000");
        await f.ch.setMarketPaused(f.marketId, true);
        // Carol opening against alice's reduction: carol increases -> blocked.
        await expect(f.venue.trade(f.marketId, f.carol.address, f.alice.address, -1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "MarketIsPaused")
          .withArgs(f.marketId);
        // Alice and bob both reduce -> allowed.
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, -3n, 10n * WAD);
        expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(7n);
        await f.ch.setMarketPaused(f.marketId, false);
        await f.ch.setGlobalPaused(true);
        await expect(
          f.venue.trade(f.marketId, f.carol.address, f.alice.address, -1n, 10n * WAD),
        ).to.be.revertedWithCustomError(f.ch, "MarketIsPaused");
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, -1n, 10n * WAD);
      });

      it("trade_enforcesPositionAndOpenInterestLimits", async function () {
        const f = await withPositions();
        await f.fund(f.carol, "200000");
        await f.ch.setRiskParams(f.marketId, {
          ...defaultRisk(),
          maxPositionSize: 12n,
          maxOpenInterest: 14n,
        });
        await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, 3n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "PositionSizeExceeded")
          .withArgs(f.alice.address, 13n, 12n);
        // Carol sells 5 to a fresh long: open interest 10 + 5 = 15 > 14.
        await f.fund(f.others[0], "200000");
        await expect(f.venue.trade(f.marketId, f.carol.address, f.others[0].address, 5n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "OpenInterestExceeded")
          .withArgs(15n, 14n);
        // A reduction is allowed even above a lowered limit.
        await f.ch.setRiskParams(f.marketId, { ...defaultRisk(), maxPositionSize: 5n, maxOpenInterest: 5n });
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, -1n, 10n * WAD);
      });

      it("trade_revertsWhenAnIncreasingSideLacksInitialMargin", async function () {
        const f = await load();
        await f.fund(f.alice, "1000");
        await f.fund(f.bob, "20000");
        // One contract: IM 1,000 + fee 5 -> equity 995 < 1,000.
        await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "InsufficientMargin")
          .withArgs(f.alice.address, f.usd("995") * f.scale, 1_000n * WAD);
      });

      it("trade_reduceOnlyPassesEvenBelowInitialMargin", async function () {
        const f = await withPositions();
        // At 8.6 alice's equity (5,950) is under initial (8,600) but over maintenance (4,300) margin.
        await f.oracle.setValue(INDEX_ID, 8_600n * (WAD / 1000n));
        const [equity, im] = await f.ch.health(f.alice.address);
        expect(equity < BigInt(im)).to.equal(true);
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, -1n, 8_600n * (WAD / 1000n));
        expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(9n);
      });

      it("trade_capsOpenMarketsPerAccount", async function () {
        const f = await load();
        await f.fund(f.alice, "500000");
        await f.fund(f.bob, "500000");
        const ids = [f.marketId];
        for (let i = 1; i <= 8; i++) ids.push(await f.createMarket(10 * i));
        for (let i = 0; i < 8; i++)
          await f.venue.trade(ids[i], f.bob.address, f.alice.address, 1n, 10n * WAD);
        await expect(f.venue.trade(ids[8], f.bob.address, f.alice.address, 1n, 10n * WAD))
          .to.be.revertedWithCustomError(f.ch, "TooManyOpenMarkets")
          .withArgs(f.alice.address, 8n);
        // Closing one market frees its lane, which the next market takes.
        await f.venue.trade(ids[1], f.bob.address, f.alice.address, -1n, 10n * WAD);
        await f.venue.trade(ids[8], f.bob.address, f.alice.address, 1n, 10n * WAD);
        const open = (await f.ch.accountOf(f.alice.address)).openMarkets;
        expect(open).to.deep.equal([ids[0], ids[8], ...ids.slice(2, 8)]);
      });
    });

    describe("tradeBatch", function () {
      // The order hashes a venue with orders would send: the Clearinghouse only repeats them in `Traded`.
      const TAKER_ORDER = ethers.id("taker order");
      const makerOrder = (i: number) => ethers.id(`maker order ${i}`);
      const fills = (bob: string, carol: string) => [
        { maker: bob, takerSizeDelta: 3n, price: 10n * WAD, makerOrderHash: makerOrder(0) },
        { maker: carol, takerSizeDelta: 4n, price: 10_005n * (WAD / 1000n), makerOrderHash: makerOrder(1) },
        { maker: bob, takerSizeDelta: 2n, price: 10_010n * (WAD / 1000n), makerOrderHash: makerOrder(2) },
      ];

      it("tradeBatch_booksExactlyLikeTheSameTradesAtTheSameInstant", async function () {
        const f = await deploy();
        for (const who of [f.alice, f.bob, f.carol]) await f.fund(who, "50000");
        // alice starts short 4 against carol: the batch reduces, crosses zero and grows her position
        await f.venue.trade(f.marketId, f.carol.address, f.alice.address, -4n, 10n * WAD);
        const state = async () => ({
          positions: await Promise.all(
            [f.alice, f.bob, f.carol].map(async (w) => [...(await f.ch.position(w.address, f.marketId))]),
          ),
          balances: await Promise.all(
            [f.alice, f.bob, f.carol].map(async (w) => (await f.ch.accountOf(w.address)).balance),
          ),
          market: [...(await f.ch.marketState(f.marketId))],
          insurance: await f.ch.insuranceFund(),
          treasury: await f.ch.treasuryAccrued(),
        });
        /** Mines every transaction `send` sends in one block at `at` (same clock: same mark path). */
        const inOneBlock = async (at: number, send: () => Promise<void>) => {
          await networkHelpers.time.setNextBlockTimestamp(at);
          await ethers.provider.send("evm_setAutomine", [false]);
          try {
            await send();
            await ethers.provider.send("evm_mine", []);
          } finally {
            await ethers.provider.send("evm_setAutomine", [true]);
          }
        };
        const at = (await networkHelpers.time.latest()) + 60;
        const gasLimit = 3_000_000n;
        const snapshot = await networkHelpers.takeSnapshot();
        await inOneBlock(at, async () => {
          for (const fill of fills(f.bob.address, f.carol.address)) {
            await f.venue.trade(f.marketId, fill.maker, f.alice.address, fill.takerSizeDelta, fill.price, {
              gasLimit,
            });
          }
        });
        const sequential = await state();
        await snapshot.restore();
        await inOneBlock(at, async () => {
          await f.venue.tradeBatch(
            f.marketId,
            f.alice.address,
            TAKER_ORDER,
            fills(f.bob.address, f.carol.address),
            {
              gasLimit,
            },
          );
        });
        const batched = await state();
        expect(batched).to.deep.equal(sequential);
        expect(batched.positions[0][0]).to.equal(5n); // -4 + 3 + 4 + 2
        expect(batched.market[0]).to.not.equal(0n); // the basis moved
      });

      it("tradeBatch_emitsOneTradedPerFillAndChecksMarginAfterTheBatch", async function () {
        const f = await load();
        await f.fund(f.alice, "50000");
        await f.fund(f.bob, "50000");
        await f.fund(f.carol, "50000");
        const tx = f.venue.tradeBatch(
          f.marketId,
          f.alice.address,
          TAKER_ORDER,
          fills(f.bob.address, f.carol.address),
        );
        await expect(tx)
          .to.emit(f.ch, "Traded")
          .withArgs(
            f.marketId,
            f.bob.address,
            f.alice.address,
            3n,
            10n * WAD,
            f.usd("6"),
            f.usd("15"),
            0n,
            makerOrder(0),
            TAKER_ORDER,
          );
        const receipt = await (await tx).wait();
        const traded = receipt!.logs.filter(
          (l) => l.topics[0] === f.ch.interface.getEvent("Traded").topicHash,
        );
        expect(traded).to.have.length(3);
        // Each fill's event, in order, names its own maker order and the batch's taker order.
        const args = traded.map((l) => f.ch.interface.parseLog(l)!.args);
        expect(
          args.map((a) => [a.maker, a.takerSizeDelta, a.makerOrderHash, a.takerOrderHash]),
        ).to.deep.equal([
          [f.bob.address, 3n, makerOrder(0), TAKER_ORDER],
          [f.carol.address, 4n, makerOrder(1), TAKER_ORDER],
          [f.bob.address, 2n, makerOrder(2), TAKER_ORDER],
        ]);
        expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(9n);
        expect(await f.ch.positionSize(f.bob.address, f.marketId)).to.equal(-5n);
        expect((await f.ch.marketState(f.marketId)).openInterest).to.equal(9n);

        // A taker that cannot carry the whole batch fails its one margin check at the end.
        await f.fund(f.others[0], "100");
        await expect(
          f.venue.tradeBatch(
            f.marketId,
            f.others[0].address,
            TAKER_ORDER,
            fills(f.bob.address, f.carol.address),
          ),
        ).to.be.revertedWithCustomError(f.ch, "InsufficientMargin");
      });

      it("tradeBatch_revertsOnBadBatches", async function () {
        const f = await withPositions();
        const id = f.marketId;
        const a = f.alice.address;
        const b = f.bob.address;
        const none = ethers.ZeroHash;
        await expect(f.venue.tradeBatch(id, a, none, [])).to.be.revertedWithCustomError(f.ch, "EmptyBatch");
        const one = { maker: b, takerSizeDelta: 1n, price: 10n * WAD, makerOrderHash: none };
        await expect(f.ch.connect(f.alice).tradeBatch(id, a, none, [one]))
          .to.be.revertedWithCustomError(f.ch, "UnauthorizedVenue")
          .withArgs(a);
        await expect(f.venue.tradeBatch(id, a, none, [one, { ...one, takerSizeDelta: -1n }]))
          .to.be.revertedWithCustomError(f.ch, "MixedTakerDirection")
          .withArgs(1n, -1n);
        await expect(f.venue.tradeBatch(id, a, none, [one, { ...one, maker: a }]))
          .to.be.revertedWithCustomError(f.ch, "SelfTrade")
          .withArgs(a);
        await expect(
          f.venue.tradeBatch(id, a, none, [one, { ...one, takerSizeDelta: 0n }]),
        ).to.be.revertedWithCustomError(f.ch, "ZeroSize");
        await expect(f.venue.tradeBatch(id, a, none, [one, { ...one, price: 10n * WAD + 1n }]))
          .to.be.revertedWithCustomError(f.ch, "PriceNotOnTick")
          .withArgs(10n * WAD + 1n, WAD / 1000n);
        await expect(f.venue.tradeBatch(ethers.ZeroHash, a, none, [one])).to.be.revertedWithCustomError(
          f.ch,
          "UnknownMarket",
        );
      });

      it("tradeBatch_pauseLetsOnlyBatchesThatReduceEverySideThrough", async function () {
        const f = await withPositions(); // alice long 10, bob short 10
        await f.fund(f.carol, "20000");
        await f.ch.setMarketPaused(f.marketId, true);
        const reduce = {
          maker: f.bob.address,
          takerSizeDelta: -3n,
          price: 10n * WAD,
          makerOrderHash: ethers.ZeroHash,
        };
        await expect(
          f.venue.tradeBatch(f.marketId, f.alice.address, ethers.ZeroHash, [
            reduce,
            { ...reduce, maker: f.carol.address },
          ]),
        )
          .to.be.revertedWithCustomError(f.ch, "MarketIsPaused")
          .withArgs(f.marketId);
        await f.venue.tradeBatch(f.marketId, f.alice.address, ethers.ZeroHash, [reduce, reduce]);
        expect(await f.ch.positionSize(f.alice.address, f.marketId)).to.equal(4n);
      });
    });

    describe("mark price", function () {
      it("mark_basisEmaFollowsTradesWithStepCap", async function () {
        const f = await load();
        await f.fund(f.alice, "500000");
        await f.fund(f.bob, "500000");
        const price = 10_500n * (WAD / 1000n); // 5 % over the index
        await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, price);
        const now = BigInt(await networkHelpers.time.latest());
        const tau = ((f.params.expiry - now) * WAD) / YEAR;
        const premium = (price * WAD) / (10n * WAD) - WAD;
        let implied = (premium * WAD) / tau;
        if (implied > WAD / 2n) implied = WAD / 2n;
        let step = (implied * (WAD / 10n)) / WAD;
        if (step > WAD / 20n) step = WAD / 20n;
        const basis = (await f.ch.marketState(f.marketId)).basisRate;
        expect(basis).to.equal(step);
        // Within the trade's second the mark keeps the basis from before the second's first trade (0); from
        // the next second on it uses the new one.
        expect(await f.ch.markPrice(f.marketId)).to.equal(refMark(10n * WAD, 0n, f.params.expiry, now));
        await networkHelpers.mine();
        expect(await f.ch.markPrice(f.marketId)).to.equal(
          refMark(10n * WAD, basis, f.params.expiry, now + 1n),
        );
        // Many trades walk it at most one step each, and never past the clamp.
        for (let i = 0; i < 15; i++) {
          await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, price);
        }
        expect((await f.ch.marketState(f.marketId)).basisRate <= WAD / 2n).to.equal(true);
      });

      it("mark_convergesToIndexNearExpiryThenTheSettlementValue", async function () {
        const f = await load();
        await f.fund(f.alice, "500000");
        await f.fund(f.bob, "500000");
        for (let i = 0; i < 3; i++) {
          await f.venue.trade(f.marketId, f.bob.address, f.alice.address, 1n, 10_500n * (WAD / 1000n));
        }
        const basis = (await f.ch.marketState(f.marketId)).basisRate;
        expect(basis > 0n).to.equal(true);
        expect((await f.ch.markPrice(f.marketId)) > 10n * WAD).to.equal(true);
        await networkHelpers.time.increaseTo(f.params.expiry - 60n);
        const nearly = await f.ch.markPrice(f.marketId);
        expect(nearly - 10n * WAD < 10n ** 13n).to.equal(true);
        // From expiry on: the settlement-window TWAP (until a proposal), never the index.
        await f.oracle.setTwap(INDEX_ID, 9_900n * (WAD / 1000n));
        await networkHelpers.time.increaseTo(f.params.expiry);
        expect(await f.ch.markPrice(f.marketId)).to.equal(9_900n * (WAD / 1000n));
      });
    });

    describe("margin views", function () {
      it("health_matchesReferenceAndLiquidationPriceIsTheThreshold", async function () {
        const f = await withPositions();
        const [equity, im, mm] = await f.ch.health(f.alice.address);
        expect(equity).to.equal(f.usd("19950") * f.scale);
        expect(im).to.equal(10_000n * WAD);
        expect(mm).to.equal(5_000n * WAD);
        expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(false);
        // Long 10 x 1000 units: 19,950 + 10,000 (L - 10) = 500 L  ->  L = 80,050 / 9,500.
        const liq = await f.ch.liquidationPrice(f.alice.address, f.marketId);
        expect(liq).to.equal((80_050n * WAD) / 9_500n);
        const tick = WAD / 1000n;
        const above = (liq / tick + 1n) * tick;
        await f.oracle.setValue(INDEX_ID, above);
        expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(false);
        await f.oracle.setValue(INDEX_ID, above - tick);
        expect(await f.ch.isLiquidatable(f.alice.address)).to.equal(true);
        expect(await f.ch.freeCollateral(f.alice.address)).to.equal(0n);
        // The short's liquidation price lies above the mark.
        expect((await f.ch.liquidationPrice(f.bob.address, f.marketId)) > 10n * WAD).to.equal(true);
        expect(await f.ch.liquidationPrice(f.carol.address, f.marketId)).to.equal(0n);
      });
    });
  });
}

describe("Clearinghouse collateral tokens", function () {
  async function deployWith(tokenName: string, args: unknown[]) {
    const [, , alice] = await ethers.getSigners();
    const token = await ethers.deployContract(tokenName, args);
    const { ch } = await deployBareClearinghouse(ethers, await token.getAddress());
    const t = await ethers.getContractAt("MockERC20", await token.getAddress());
    await t.mint(alice.address, 1_000_000n);
    await t.connect(alice).approve(await ch.getAddress(), 1_000_000n);
    return { ch, alice, token: t };
  }

  it("deposit_creditsMeasuredAmountOfFeeOnTransferToken", async function () {
    const { ch, alice } = await deployWith("FeeOnTransferToken", [100n]); // 1 %
    await expect(ch.connect(alice).deposit(10_000n))
      .to.emit(ch, "Deposited")
      .withArgs(alice.address, alice.address, 9_900n);
    expect((await ch.accountOf(alice.address)).balance).to.equal(9_900n);
    await ch.connect(alice).withdraw(9_900n);
  });

  it("deposit_revertsWhenTheTransferMovesNothing", async function () {
    const { ch, alice } = await deployWith("FeeOnTransferToken", [10_000n]); // burns everything
    await expect(ch.connect(alice).deposit(10_000n))
      .to.be.revertedWithCustomError(ch, "NothingReceived")
      .withArgs(10_000n);
  });

  it("deposit_revertsOnFalseReturningToken", async function () {
    const { ch, alice } = await deployWith("FalseReturnToken", []);
    await expect(ch.connect(alice).deposit(10_000n)).to.be.revertedWithCustomError(
      ch,
      "SafeERC20FailedOperation",
    );
  });

  it("depositAndWithdraw_workWithNoReturnToken", async function () {
    const { ch, alice, token } = await deployWith("NoReturnToken", []);
    await ch.connect(alice).deposit(10_000n);
    await ch.connect(alice).withdraw(4_000n);
    expect(await token.balanceOf(alice.address)).to.equal(1_000_000n - 6_000n);
  });
});

describe("Clearinghouse bytecode size", function () {
  it("deployedBytecode_staysUnderEip170", async function () {
    if (underCoverage()) this.skip(); // instrumented bytecode is larger; the plain run checks the limit
    for (const name of ["Clearinghouse", ...CLEARINGHOUSE_LIBRARIES]) {
      const artifact = await import("hardhat").then((hh) => hh.artifacts.readArtifact(name));
      const size = (artifact.deployedBytecode.length - 2) / 2;
      expect(size, name).to.be.lessThanOrEqual(24_576);
    }
  });
});
