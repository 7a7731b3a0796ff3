import { expect } from "chai";
import { network } from "hardhat";
import { parseAbi, type Address } from "viem";

import {
  InvalidArgumentError,
  backfillEvents,
  buildOrder,
  fillOrder,
  indexIdOf,
  signOrder,
  watchEvents,
} from "../../../sdk/index.js";

const { viem, networkHelpers } = await network.create();

const E18 = 10n ** 18n;

/** `MockClearinghouseVenue`'s `Traded`: a fill's one event, with the order hashes the Exchange sent. */
const MOCK_VENUE_ABI = parseAbi([
  "event Traded(bytes32 indexed marketId, address indexed maker, address indexed taker, int256 takerSizeDelta, uint256 price, bytes32 makerOrderHash, bytes32 takerOrderHash)",
]);

async function deploy() {
  const publicClient = await viem.getPublicClient();
  const [admin, maker, taker] = await viem.getWalletClients();
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const venue = await viem.deployContract("MockClearinghouseVenue");
  const exchange = await viem.deployContract("Exchange", [venue.address, manager.address]);
  const deployBlock = await publicClient.getBlockNumber();
  const now = BigInt(await networkHelpers.time.latest());
  const order = buildOrder(
    {
      trader: maker.account.address,
      marketId: indexIdOf("M"),
      isBuy: false,
      size: 100n,
      limitPrice: E18,
      salt: 1n,
    },
    now,
  );
  const signed = await signOrder(maker, { address: exchange.address, order });
  /** One fill of `size` in its own block. */
  async function fill(size: bigint) {
    const { hash } = await fillOrder(taker, {
      address: exchange.address as Address,
      ...signed,
      fillSize: size,
    });
    await publicClient.waitForTransactionReceipt({ hash });
  }
  // A fill's one event is the venue's `Traded` (here the mock venue's, naming the order hashes).
  return {
    publicClient,
    address: venue.address as Address,
    abi: MOCK_VENUE_ABI,
    deployBlock,
    fill,
    orderHash: signed.orderHash,
  };
}

/** Resolves once `check()` holds, polling every 10 ms; fails after `limitMs` so a broken watch cannot hang. */
async function until(check: () => boolean, limitMs = 10_000): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > limitMs) expect.fail("condition not reached");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("sdk/viem events", function () {
  it("test_backfillEvents_pagesByChunkSizeAndMatchesOneShotQuery", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    for (const size of [1n, 2n, 3n, 4n, 5n]) await f.fill(size);
    const head = await f.publicClient.getBlockNumber();
    const ranges: [bigint, bigint][] = [];
    const logs = await backfillEvents(f.publicClient, {
      address: f.address,
      abi: f.abi,
      eventName: "Traded",
      fromBlock: f.deployBlock,
      chunkSize: 2n,
      onChunk: (_logs, r) => {
        ranges.push([r.fromBlock, r.toBlock]);
      },
    });
    const oneShot = await f.publicClient.getContractEvents({
      address: f.address,
      abi: f.abi,
      eventName: "Traded",
      fromBlock: f.deployBlock,
      toBlock: head,
    });
    expect(logs.map((l) => l.transactionHash)).to.deep.equal(oneShot.map((l) => l.transactionHash));
    expect(logs.map((l) => l.args.takerSizeDelta)).to.deep.equal([1n, 2n, 3n, 4n, 5n]);
    expect(logs.map((l) => l.args.makerOrderHash)).to.deep.equal(Array(5).fill(f.orderHash));
    // Contiguous, non-overlapping pages of at most two blocks covering [deployBlock, head].
    expect(ranges[0][0]).to.equal(f.deployBlock);
    expect(ranges.at(-1)![1]).to.equal(head);
    for (const [i, [from, to]] of ranges.entries()) {
      expect(to - from).to.be.lessThanOrEqual(1n);
      if (i > 0) expect(from).to.equal(ranges[i - 1][1] + 1n);
    }
  });

  it("test_backfillEvents_rejectsNonPositiveChunkSize", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    let error: unknown;
    try {
      await backfillEvents(f.publicClient, {
        address: f.address,
        abi: f.abi,
        fromBlock: 0n,
        chunkSize: 0n,
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(InvalidArgumentError);
  });

  it("test_watchEvents_backfillsThenDeliversLiveWithoutGapOrDuplicate", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    await f.fill(1n);
    await f.fill(2n);
    const seen: bigint[] = [];
    const stop = await watchEvents(f.publicClient, {
      address: f.address,
      abi: f.abi,
      eventName: "Traded",
      fromBlock: f.deployBlock,
      chunkSize: 1n,
      pollingInterval: 20,
      onLogs: (logs) => seen.push(...logs.map((l) => l.args.takerSizeDelta)),
    });
    try {
      expect(seen).to.deep.equal([1n, 2n]);
      await f.fill(3n);
      await until(() => seen.length >= 3);
      await f.fill(4n);
      await until(() => seen.length >= 4);
      expect(seen).to.deep.equal([1n, 2n, 3n, 4n]);
    } finally {
      stop();
    }
  });
});
