/**
 * The SDK's Clearinghouse actions against the in-process chain: every write (success and typed
 * reverts), the one-request loads (`fetchMarket`, `fetchAccount`, counted at the transport), the
 * lens being up to date, and every Clearinghouse custom error decoding to its exported class.
 */
import { readFileSync } from "node:fs";

import { expect } from "chai";
import { network } from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeErrorResult,
  erc20Abi,
  maxUint256,
  parseEventLogs,
  toFunctionSelector,
  type Abi,
  type AbiParameter,
  type Address,
  type EIP1193RequestFn,
  type Hex,
} from "viem";

import { clearinghouseAbi } from "../../../sdk/abi/index.js";
import * as sdk from "../../../sdk/index.js";
import {
  AccountHealthyError,
  ClaimNotYetPayableError,
  CounterpartyNotOppositeError,
  InsufficientBalanceError,
  InsufficientMarginError,
  MarketNotExpiredError,
  NotBankruptError,
  NothingToSettleError,
  PriceLimitExceededError,
  ProtocolContractError,
  SettlementNotReadyError,
  TransactionRevertedError,
  UnknownMarketError,
  ZeroAmountError,
  asMarketId,
  bankruptcyPrice,
  decodeErrorData,
  deleverage,
  deposit,
  fetchAccount,
  readPermitDomain,
  fetchHealth,
  fetchMarket,
  finalizeSettlement,
  indexIdOf,
  liquidate,
  marketIdOf,
  proposeSettlement,
  settle,
  settleMany,
  unitValueDown,
  withdraw,
  type MarketId,
} from "../../../sdk/index.js";
import { LENS_OUTPUT, compileLens } from "../../../scripts/gen-lens.js";
import {
  INDEX_ID,
  WAD,
  defaultRisk,
  defaultTerms,
  deployClearinghouse,
} from "../helpers/clearinghouseFixture.js";

const { ethers, viem, networkHelpers, provider } = await network.create();
const { time } = networkHelpers;

/** A public client whose transport counts the JSON-RPC requests it sends. */
function countingClient() {
  const counter = { requests: 0, methods: [] as string[] };
  const request: EIP1193RequestFn = async (args) => {
    counter.requests += 1;
    counter.methods.push(args.method);
    return provider.request(args as never) as never;
  };
  return { client: createPublicClient({ transport: custom({ request }) }), counter };
}

async function setup() {
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  const [, , alice, bob, carol, liquidator] = await viem.getWalletClients();
  const publicClient = await viem.getPublicClient();
  const address = (await f.ch.getAddress()) as Address;
  const token = (await f.token.getAddress()) as Address;
  const marketId = asMarketId(f.marketId);
  return { f, alice, bob, carol, liquidator, publicClient, address, token, marketId };
}

type Setup = Awaited<ReturnType<typeof setup>>;

async function mined(s: Setup, hash: Hex) {
  const receipt = await s.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).to.equal("success");
  return receipt;
}

async function rejects<E>(
  promise: Promise<unknown>,
  Class: abstract new (...args: never[]) => E,
): Promise<E> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(Class);
    return err as E;
  }
  expect.fail(`expected ${Class.name}`);
}

/** Alice 2 long against Bob at mark, each funded. */
async function openLong(s: Setup, aliceDollars = "3000", bobDollars = "200000") {
  await s.f.fund(s.f.alice, aliceDollars);
  await s.f.fund(s.f.bob, bobDollars);
  const mark = await s.f.ch.markPrice(s.marketId);
  const price = (mark / (WAD / 1_000n)) * (WAD / 1_000n);
  await s.f.venue.trade(s.marketId, s.f.bob.address, s.f.alice.address, 2n, price);
}

describe("sdk/viem/clearinghouse", function () {
  let s: Setup;
  let base: Awaited<ReturnType<typeof networkHelpers.takeSnapshot>>;

  before(async function () {
    s = await setup();
    base = await networkHelpers.takeSnapshot();
  });
  beforeEach(async function () {
    await base.restore();
  });

  describe("deposit and withdraw", function () {
    it("test_deposit_approvesWhenAllowanceShortThenDeposits", async function () {
      await s.f.token.mint(s.f.alice.address, 5_000_000_000n);
      const first = await deposit(s.alice, { address: s.address, amount: 1_000_000_000n, permit: "never" });
      expect(first.approveHash).to.not.equal(undefined);
      expect(first.permitUsed).to.equal(false);
      await mined(s, first.hash);
      expect((await s.f.ch.accountOf(s.f.alice.address))[0]).to.equal(1_000_000_000n);
      expect(await s.f.token.allowance(s.f.alice.address, s.address)).to.equal(0n);

      const second = await deposit(s.alice, {
        address: s.address,
        amount: 1n,
        permit: "never",
        approve: "max",
        collateral: s.token,
      });
      await mined(s, second.hash);
      expect(await s.f.token.allowance(s.f.alice.address, s.address)).to.equal(maxUint256);
      const third = await deposit(s.alice, { address: s.address, amount: 2n });
      expect(third.approveHash).to.equal(undefined);
      await mined(s, third.hash);
      expect((await s.f.ch.accountOf(s.f.alice.address))[0]).to.equal(1_000_000_003n);
    });

    it("test_deposit_anApprovalMinedButReverted_throwsTransactionRevertedErrorAndSendsNoDeposit", async function () {
      // A node that reports the approval's receipt as reverted (its simulation passed): the deposit must stop
      // with the typed error naming the approval, and never send the deposit itself.
      await s.f.token.mint(s.f.alice.address, 1_000_000n);
      const sent: string[] = [];
      let approveHash: Hex | undefined;
      const request: EIP1193RequestFn = async (args) => {
        const result = (await provider.request(args as never)) as unknown;
        if (args.method === "eth_sendTransaction") {
          sent.push(((args.params as [{ data?: Hex }])[0].data ?? "0x").slice(0, 10));
          approveHash ??= result as Hex;
        }
        if (args.method === "eth_getTransactionReceipt" && result !== null && approveHash !== undefined) {
          const receipt = result as { transactionHash: Hex; status: Hex };
          if (receipt.transactionHash === approveHash) return { ...receipt, status: "0x0" } as never;
        }
        return result as never;
      };
      const alice = createWalletClient({
        account: s.alice.account,
        chain: s.alice.chain,
        transport: custom({ request }),
      });
      const err = await rejects(
        deposit(alice, { address: s.address, amount: 1_000_000n, permit: "never" }),
        TransactionRevertedError,
      );
      expect(err.data.action).to.equal("approve");
      expect(err.data.hash).to.equal(approveHash);
      expect(err).to.be.instanceOf(sdk.SdkError);
      expect(sent).to.deep.equal([toFunctionSelector("approve(address,uint256)")]);
      expect((await s.f.ch.accountOf(s.f.alice.address))[0]).to.equal(0n);
    });

    it("test_deposit_signsAPermitAndDepositsInOneTransactionWhenTheTokenSupportsIt", async function () {
      await s.f.token.mint(s.f.alice.address, 5_000_000n);
      const domain = await readPermitDomain(s.publicClient, s.token);
      expect(domain?.name).to.equal("USD Coin");
      expect(domain?.version).to.equal("1");
      const nonceBefore = await s.f.token.nonces(s.f.alice.address);
      const result = await deposit(s.alice, { address: s.address, amount: 5_000_000n });
      expect(result.permitUsed).to.equal(true);
      expect(result.approveHash).to.equal(undefined);
      const receipt = await mined(s, result.hash);
      const [log] = parseEventLogs({ abi: clearinghouseAbi, eventName: "Deposited", logs: receipt.logs });
      expect(log.args.amount).to.equal(5_000_000n);
      expect((await s.f.ch.accountOf(s.f.alice.address))[0]).to.equal(5_000_000n);
      expect(await s.f.token.nonces(s.f.alice.address)).to.equal(nonceBefore + 1n);
      // The permit approved exactly the deposit, which spent it.
      expect(await s.f.token.allowance(s.f.alice.address, s.address)).to.equal(0n);
    });

    it("test_deposit_fromASmartContractWallet_approvesInsteadOfAPermit", async function () {
      // An EIP-2612 permit is checked by ecrecover: a contract wallet (EIP-1271) cannot sign one, so
      // "auto" approves and deposits although the token supports permits.
      const wallet = await ethers.deployContract("MockERC1271Wallet", [s.f.alice.address]);
      const account = (await wallet.getAddress()) as Address;
      await s.f.token.mint(account, 5_000_000n);
      await networkHelpers.impersonateAccount(account);
      await networkHelpers.setBalance(account, 10n ** 18n);
      const client = await viem.getWalletClient(account);
      const result = await deposit(client, { address: s.address, amount: 5_000_000n });
      expect(result.permitUsed).to.equal(false);
      expect(result.approveHash).to.not.equal(undefined);
      await mined(s, result.hash);
      expect((await s.f.ch.accountOf(account))[0]).to.equal(5_000_000n);
      expect(await s.f.token.nonces(account)).to.equal(0n);
    });

    it("test_readPermitDomain_isUndefinedForATokenWithoutPermit_soDepositApproves", async function () {
      const plain = await ethers.deployContract("NoReturnToken");
      expect(await readPermitDomain(s.publicClient, (await plain.getAddress()) as Address)).to.equal(
        undefined,
      );
    });

    it("test_deposit_forAnotherAccountCreditsIt", async function () {
      await s.f.token.mint(s.f.alice.address, 7n);
      const { hash } = await deposit(s.alice, {
        address: s.address,
        amount: 7n,
        account: s.f.carol.address as Address,
      });
      await mined(s, hash);
      expect((await s.f.ch.accountOf(s.f.carol.address))[0]).to.equal(7n);
      expect((await s.f.ch.accountOf(s.f.alice.address))[0]).to.equal(0n);
    });

    it("test_deposit_zeroAmountThrowsZeroAmountError", async function () {
      await rejects(deposit(s.alice, { address: s.address, amount: 0n }), ZeroAmountError);
    });

    it("test_withdraw_sendsAndThrowsTypedErrors", async function () {
      await s.f.fund(s.f.alice, "100");
      const before = await s.f.token.balanceOf(s.f.alice.address);
      await mined(s, (await withdraw(s.alice, { address: s.address, amount: 40_000_000n })).hash);
      expect(await s.f.token.balanceOf(s.f.alice.address)).to.equal(before + 40_000_000n);
      const e = await rejects(
        withdraw(s.alice, { address: s.address, amount: 60_000_001n }),
        InsufficientBalanceError,
      );
      expect(e.args.amount).to.equal(60_000_001n);

      await openLong(s);
      const m = await rejects(
        withdraw(s.alice, { address: s.address, amount: 2_500_000_000n }),
        InsufficientMarginError,
      );
      expect(m.args.account).to.equal(s.f.alice.address);
    });
  });

  describe("liquidation", function () {
    it("test_liquidate_takesOverAndThrowsTypedErrors", async function () {
      await openLong(s);
      await s.f.fund(s.f.liquidator, "200000");
      const healthy = await rejects(
        liquidate(s.liquidator, {
          address: s.address,
          account: s.f.alice.address as Address,
          marketId: s.marketId,
          size: 1n,
          priceLimit: maxUint256,
        }),
        AccountHealthyError,
      );
      expect(healthy.args.account).to.equal(s.f.alice.address);

      await s.f.oracle.setValue(INDEX_ID, (87n * WAD) / 10n);
      const mark = await s.f.ch.markPrice(s.marketId);
      const args = {
        address: s.address,
        account: s.f.alice.address as Address,
        marketId: s.marketId,
        size: 1n,
      };
      const limit = await rejects(
        liquidate(s.liquidator, { ...args, priceLimit: mark - 1n }),
        PriceLimitExceededError,
      );
      expect(limit.args.mark).to.equal(mark);
      await mined(s, (await liquidate(s.liquidator, { ...args, priceLimit: mark })).hash);
      expect((await s.f.ch.position(s.f.liquidator.address, s.marketId))[0]).to.equal(1n);
      expect((await s.f.ch.position(s.f.alice.address, s.marketId))[0]).to.equal(1n);
    });

    it("test_deleverage_closesBankruptAgainstProfitableCounterparty", async function () {
      await openLong(s, "2500");
      const args = { address: s.address, account: s.f.alice.address as Address, marketId: s.marketId };
      await rejects(
        deleverage(s.carol, { ...args, counterparties: [s.f.bob.address as Address] }),
        NotBankruptError,
      );
      await s.f.oracle.setValue(INDEX_ID, 8n * WAD);
      const wrongSide = await rejects(
        deleverage(s.carol, { ...args, counterparties: [s.f.alice.address as Address] }),
        ProtocolContractError,
      );
      expect(wrongSide.errorName).to.equal("SelfLiquidation");
      await rejects(
        deleverage(s.carol, { ...args, counterparties: [s.f.carol.address as Address] }),
        CounterpartyNotOppositeError,
      );
      const { equity } = await fetchHealth(s.publicClient, { address: s.address, account: args.account });
      expect(equity < 0n).to.equal(true);
      const v = unitValueDown(await s.f.ch.markPrice(s.marketId), s.f.params.contractSize);
      // The whole fund pays first; the bankruptcy price covers the rest of the deficit.
      const fund = await s.f.ch.insuranceFund();
      const expected = bankruptcyPrice(2n, v, equity, s.f.scale, s.f.params.contractSize, fund);
      const receipt = await mined(
        s,
        (await deleverage(s.carol, { ...args, counterparties: [s.f.bob.address as Address] })).hash,
      );
      const [event] = parseEventLogs({ abi: clearinghouseAbi, logs: receipt.logs, eventName: "Deleveraged" });
      expect(event.args.bankruptcyPrice).to.equal(expected.price);
      expect((await s.f.ch.position(s.f.alice.address, s.marketId))[0]).to.equal(0n);
      expect((await s.f.ch.position(s.f.bob.address, s.marketId))[0]).to.equal(0n);
    });
  });

  describe("settlement", function () {
    it("test_settlementActions_proposeFinalizeSettleAndSettleMany", async function () {
      await openLong(s, "30000");
      await s.f.fund(s.f.carol, "30000");
      await s.f.fund(s.f.liquidator, "30000");
      const mark = await s.f.ch.markPrice(s.marketId);
      const price = (mark / (WAD / 1_000n)) * (WAD / 1_000n);
      await s.f.venue.trade(s.marketId, s.f.liquidator.address, s.f.carol.address, -1n, price);
      const ids = { address: s.address, marketId: s.marketId };
      const notExpired = await rejects(proposeSettlement(s.carol, ids), MarketNotExpiredError);
      expect(notExpired.args.expiry).to.equal(s.f.params.expiry);

      await time.increaseTo(s.f.params.expiry + 1n);
      await s.f.oracle.setTwap(INDEX_ID, 11n * WAD);
      await mined(s, (await proposeSettlement(s.carol, ids)).hash);
      const notReady = await rejects(finalizeSettlement(s.carol, ids), SettlementNotReadyError);
      expect(notReady.args.marketId).to.equal(s.marketId);
      await time.increase(3_600);
      await mined(s, (await finalizeSettlement(s.carol, ids)).hash);

      // Bob (short 2) loses; Alice (long 2) and the liquidator (long 1) win and must wait for the rest.
      await mined(s, (await settle(s.carol, { ...ids, account: s.f.bob.address as Address })).hash);
      await mined(s, (await settle(s.carol, { ...ids, account: s.f.alice.address as Address })).hash);
      const early = await rejects(
        settle(s.carol, { ...ids, account: s.f.alice.address as Address }),
        ClaimNotYetPayableError,
      );
      expect(early.args.openPositions).to.equal(2n);
      await rejects(
        settle(s.carol, { ...ids, account: s.f.treasury.address as Address }),
        NothingToSettleError,
      );
      const everyone = [s.f.alice, s.f.bob, s.f.carol, s.f.liquidator].map((x) => x.address as Address);
      await mined(s, (await settleMany(s.carol, { ...ids, accounts: everyone })).hash);
      await mined(s, (await settleMany(s.carol, { ...ids, accounts: everyone })).hash);
      for (const who of everyone) expect(await s.f.ch.position(who, s.marketId)).to.deep.equal([0n, 0n]);
    });
  });

  describe("fetchers", function () {
    it("test_fetchMarket_matchesViewsInOneRequest", async function () {
      await openLong(s);
      const { client, counter } = countingClient();
      const { market, index, mark, context } = await fetchMarket(client, {
        address: s.address,
        marketId: s.marketId,
      });
      expect(counter.requests).to.equal(1);
      expect(counter.methods).to.deep.equal(["eth_call"]);
      expect(market.id).to.equal(s.marketId);
      expect(market.params.expiry).to.equal(s.f.params.expiry);
      expect(market.risk.imr).to.equal((await s.f.ch.riskParams(s.marketId)).imr);
      expect(market.state.basisRate).to.equal((await s.f.ch.marketState(s.marketId))[0]);
      expect(market.state.openPositions).to.equal(2n);
      expect(index).to.deep.equal({ value: 10n * WAD, updatedAt: (await s.f.oracle.latest(INDEX_ID))[1] });
      expect(mark).to.equal(await s.f.ch.markPrice(s.marketId));
      expect(context.collateralScale).to.equal(10n ** 12n);
      expect(market.statusAt(context.timestamp)).to.equal("Trading");
    });

    // The lens's result is the code of a contract created inside the call, and EIP-3541 rejects new code that
    // starts with 0xEF: a market whose id starts with 0xEF must still load (its result must not start with the id).
    it("test_fetchMarket_loadsAMarketWhoseIdStartsWith0xEF", async function () {
      const base = s.f.params;
      const idAt = (expiry: bigint) =>
        marketIdOf({
          ...base,
          indexId: base.indexId as Hex,
          methodologyHash: base.methodologyHash as Hex,
          expiry,
          settlementWindow: Number(base.settlementWindow),
        });
      let expiry = base.expiry;
      while (!idAt(expiry).startsWith("0xef")) expiry += 1n; // one expiry in 256, on average
      const params = { ...base, expiry };
      const id = idAt(expiry);
      await s.f.ch.createMarket(params, defaultRisk(), defaultTerms());
      expect(await s.f.ch.marketId(params)).to.equal(id);
      const { market } = await fetchMarket(s.publicClient, { address: s.address, marketId: id });
      expect(market.id).to.equal(id);
      expect(market.params.expiry).to.equal(params.expiry);
      expect(market.statusAt(BigInt(await time.latest()))).to.equal("Trading");
    });

    it("test_fetchMarket_unknownIdThrowsUnknownMarketError", async function () {
      const e = await rejects(
        fetchMarket(s.publicClient, {
          address: s.address,
          marketId: indexIdOf("nope") as unknown as MarketId,
        }),
        UnknownMarketError,
      );
      expect(e.args.marketId).to.equal(indexIdOf("nope"));
    });

    it("test_fetchAccount_loadsFourPositionsMarketsAndIndexPricesInOneRequest", async function () {
      const index2 = indexIdOf("ATPI-COMPUTE-H100");
      await s.f.oracle.setValue(index2, 3n * WAD);
      const ids = [s.marketId];
      for (const [days, idx] of [
        [30, INDEX_ID],
        [60, index2],
        [120, index2],
      ] as const) {
        ids.push(asMarketId(await s.f.createMarket(days, idx)));
      }
      await s.f.fund(s.f.alice, "100000");
      await s.f.fund(s.f.bob, "100000");
      for (const [i, id] of ids.entries()) {
        const mark = await s.f.ch.markPrice(id);
        const price = (mark / (WAD / 1_000n)) * (WAD / 1_000n);
        await s.f.venue.trade(id, s.f.bob.address, s.f.alice.address, i % 2 === 0 ? 2n : -3n, price);
      }
      const { client, counter } = countingClient();
      const loaded = await fetchAccount(client, {
        address: s.address,
        account: s.f.alice.address as Address,
      });
      expect(counter.requests).to.equal(1);
      expect(loaded.account.openMarkets).to.have.members(ids);
      expect(loaded.markets.size).to.equal(4);
      for (const id of ids) {
        const [size, openNotional] = await s.f.ch.position(s.f.alice.address, id);
        expect(loaded.account.positionIn(id)).to.deep.equal({ size, openNotional });
        const indexId = (await s.f.ch.marketParams(id)).indexId;
        expect(loaded.indexPrices.get(id)!.value).to.equal((await s.f.oracle.latest(indexId))[0]);
        expect(loaded.marks.get(id)!.mark).to.equal(await s.f.ch.markPrice(id));
      }
      const [equity, im, mm] = await s.f.ch.health(s.f.alice.address);
      expect(loaded.account.health(loaded.marks)).to.deep.equal({
        equity,
        initialMargin: im,
        maintenanceMargin: mm,
      });
      expect(loaded.account.freeCollateral(loaded.marks)).to.equal(
        await s.f.ch.freeCollateral(s.f.alice.address),
      );
    });

    it("test_fetchAccount_staleIndexLeavesMarkOut", async function () {
      await openLong(s);
      await s.f.oracle.setStale(INDEX_ID, true);
      const loaded = await fetchAccount(s.publicClient, {
        address: s.address,
        account: s.f.alice.address as Address,
      });
      expect(loaded.indexPrices.get(s.marketId)).to.equal(undefined);
      expect(loaded.marks.has(s.marketId)).to.equal(false);
      expect(() => loaded.account.health(loaded.marks)).to.throw(sdk.InvalidArgumentError);
      // The Clearinghouse's own StaleIndex (its copy of the index, pushed stale by the mock: time 1, maxAge 0).
      const e = await rejects(
        fetchHealth(s.publicClient, { address: s.address, account: s.f.alice.address as Address }),
        sdk.StaleIndexError,
      );
      expect(e.args).to.deep.equal({ indexId: INDEX_ID, updatedAt: 1n, maxAge: 0n });
    });

    it("test_fetchAccount_emptyAccount", async function () {
      const loaded = await fetchAccount(s.publicClient, {
        address: s.address,
        account: s.f.carol.address as Address,
      });
      expect(loaded.account.balance).to.equal(0n);
      expect(loaded.account.openMarkets).to.deep.equal([]);
      expect(loaded.account.health(loaded.marks)).to.deep.equal({
        equity: 0n,
        initialMargin: 0n,
        maintenanceMargin: 0n,
      });
    });
  });

  describe("lens and errors", function () {
    it("test_lensGenerated_isUpToDateWithItsSource", async function () {
      expect(readFileSync(LENS_OUTPUT, "utf8")).to.equal(await compileLens());
    });

    it("test_collateralTokenIsAnErc20ForTheDepositPath", async function () {
      const decimals = await s.publicClient.readContract({
        address: s.token,
        abi: erc20Abi,
        functionName: "decimals",
      });
      expect(decimals).to.equal(6);
    });

    const sample = (p: AbiParameter, i: number): unknown => {
      const int = /^(u?)int(\d*)$/.exec(p.type);
      if (int) {
        const v = BigInt(3 + i);
        const value = int[1] === "u" ? v : -v;
        return Number(int[2] || "256") <= 48 ? Number(value) : value;
      }
      if (p.type === "address") return "0x" + "ab".repeat(19) + (16 + i).toString(16);
      if (p.type === "bool") return true;
      if (p.type === "bytes32") return indexIdOf(`arg-${i}`);
      if (p.type === "string") return `text-${i}`;
      throw new Error(`no sample for ${p.type}`);
    };
    const exported = sdk as unknown as Record<string, unknown>;
    for (const item of (clearinghouseAbi as Abi).filter((x) => x.type === "error")) {
      it(`test_clearinghouseError_${item.name}_decodesToItsExportedClass`, function () {
        const Class = (exported[`${item.name}Error`] ?? exported[`Clearinghouse${item.name}Error`]) as
          (abstract new (...args: never[]) => ProtocolContractError) | undefined;
        expect(Class, `exported class for ${item.name}`).to.not.equal(undefined);
        const args = item.inputs.map(sample);
        const e = decodeErrorData(encodeErrorResult({ abi: [item], errorName: item.name, args } as never));
        expect(e).to.be.instanceOf(Class!);
        expect(e!.errorName).to.equal(item.name);
      });
    }
  });
});
