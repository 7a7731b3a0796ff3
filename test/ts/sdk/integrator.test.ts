/**
 * What an integrator relies on beyond the actions: markets listed from events and from the address
 * book (ids typed as `MarketId`), `decodeContractError` on the SDK's own typed errors, the lens carrying
 * `realisedNet`, and `Account.freeCollateral` agreeing with the contract where it needs no mark.
 */
import { expect } from "chai";
import { network } from "hardhat";
import type { Address } from "viem";

import {
  Account,
  InvalidArgumentError,
  NoRoundsError,
  UnknownContractError,
  UnknownMarketError,
  asMarketId,
  claimPayoutDown,
  decodeContractError,
  fetchMarket,
  indexIdOf,
  listMarkets,
  loadAddressBook,
  marketsOfAddressBook,
  type IndexId,
  type MarketId,
} from "../../../sdk/index.js";
import { WAD, deployClearinghouse } from "../helpers/clearinghouseFixture.js";

const { ethers, viem, networkHelpers } = await network.create();

async function setup() {
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  const publicClient = await viem.getPublicClient();
  return { f, publicClient, address: (await f.ch.getAddress()) as Address, marketId: asMarketId(f.marketId) };
}

describe("sdk for integrators", function () {
  it("test_listMarkets_readsMarketCreatedEventsWithTypedIds", async function () {
    const s = await networkHelpers.loadFixture(setup);
    const markets = await listMarkets(s.publicClient, { address: s.address });
    expect(markets).to.have.length(1);
    const [m] = markets;
    const id: MarketId = m.id;
    const indexId: IndexId = m.indexId;
    expect(id).to.equal(s.marketId);
    expect(indexId).to.equal((await s.f.ch.marketParams(s.marketId)).indexId.toLowerCase());
    expect(m.expiry).to.equal(s.f.params.expiry);
    expect(m.index).to.equal(1);
    // Paged requests find the same markets.
    expect(await listMarkets(s.publicClient, { address: s.address, chunkSize: 1n })).to.deep.equal(markets);
    // Each listed id loads.
    const { market } = await fetchMarket(s.publicClient, { address: s.address, marketId: m.id });
    expect(market.id).to.equal(m.id);
    let caught: unknown;
    try {
      await listMarkets(s.publicClient, { address: s.address, chunkSize: 0n });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(InvalidArgumentError);
  });

  it("test_addressBook_marketIdsAreTypedAndListedByExpiry", function () {
    const id = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
    const book = loadAddressBook({
      indexOracle: "0x00000000000000000000000000000000000000a1",
      exchange: "0x00000000000000000000000000000000000000a2",
      markets: {
        "ATPI-SMALL-20270326": { id: id(2).toUpperCase().replace("0X", "0x"), indexId: id(9), expiry: 200 },
        "ATPI-FRONTIER-20261225": { id: id(1), indexId: id(8), expiry: 100 },
      },
    });
    const listed = marketsOfAddressBook(book);
    expect(listed.map((m) => m.symbol)).to.deep.equal(["ATPI-FRONTIER-20261225", "ATPI-SMALL-20270326"]);
    // Typed as the SDK's branded ids, so they pass straight to `fetchMarket` and friends.
    const first: MarketId = listed[0].id;
    const index: IndexId = listed[0].indexId;
    expect(first).to.equal(id(1));
    expect(index).to.equal(id(8));
    expect(listed[1].id).to.equal(id(2));
    expect(marketsOfAddressBook({ ...book, markets: undefined })).to.deep.equal([]);
  });

  it("test_decodeContractError_returnsTheSdksTypedErrorsUnchanged", async function () {
    const s = await networkHelpers.loadFixture(setup);
    const unknownId = indexIdOf("nope") as unknown as MarketId;
    let thrown: unknown;
    try {
      await fetchMarket(s.publicClient, { address: s.address, marketId: unknownId });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(UnknownMarketError);
    expect(decodeContractError(thrown)).to.equal(thrown);
    const typed = new NoRoundsError({ indexId: indexIdOf("x") });
    expect(decodeContractError(typed)).to.equal(typed);
    const unknown = new UnknownContractError("0x12345678", undefined);
    expect(decodeContractError(unknown)).to.equal(unknown);
    // Not a revert: still undefined.
    expect(decodeContractError(new InvalidArgumentError("x", 1, "y"))).to.equal(undefined);
  });

  it("test_fetchMarket_carriesRealisedNetForClaimPayoutsBeforeCompletion", async function () {
    const s = await networkHelpers.loadFixture(setup);
    const { f } = s;
    await f.fund(f.alice, "30000");
    await f.fund(f.bob, "200000");
    await f.fund(f.carol, "200000");
    const mark = await f.ch.markPrice(s.marketId);
    const price = (mark / (WAD / 1_000n)) * (WAD / 1_000n);
    await f.venue.trade(s.marketId, f.bob.address, f.alice.address, 2n, price);
    // Alice closes to Carol lower: her realised loss moves into the market's pot before expiry (a gain would
    // stay escrowed in her closed position).
    await f.venue.trade(s.marketId, f.carol.address, f.alice.address, -2n, price - WAD / 100n);
    const onChain = await f.ch.settlementState(s.marketId);
    const { market } = await fetchMarket(s.publicClient, { address: s.address, marketId: s.marketId });
    expect(onChain[6]).to.not.equal(0n);
    expect(market.settlement.realisedNet).to.equal(onChain[6]);
    expect(market.settlement.collected).to.equal(onChain[4]);
    expect(market.settlement.claimed).to.equal(onChain[5]);
    // With it, a claim's payout from what is left is computable from the lens alone.
    const payout = claimPayoutDown(
      10n ** 6n,
      market.settlement.collected - market.settlement.realisedNet,
      market.settlement.claimed + 10n ** 6n,
    );
    expect(payout >= 0n).to.equal(true);
  });

  it("test_accountFreeCollateral_isZeroWithoutMarksWhenBalanceNotPositive", function () {
    const marketId = asMarketId(`0x${"11".repeat(32)}`);
    const position = { size: 2n, openNotional: 20n * WAD } as const;
    const scale = 10n ** 12n;
    const address = "0x00000000000000000000000000000000000000c1" as Address;
    // Balance <= 0 with an open position and no mark (a stale index): the contract returns 0.
    for (const balance of [0n, -5n]) {
      const account = Account.from({ address, balance, scale, positions: [[marketId, position]] });
      expect(account.freeCollateral(new Map())).to.equal(0n);
    }
    // A flat account: its balance, no mark needed.
    expect(Account.from({ address, balance: 7n, scale, positions: [] }).freeCollateral(new Map())).to.equal(
      7n,
    );
    // A positive balance with a position still needs its mark (the contract reads the oracle there).
    const open = Account.from({ address, balance: 7n, scale, positions: [[marketId, position]] });
    expect(() => open.freeCollateral(new Map())).to.throw(InvalidArgumentError);
  });
});
