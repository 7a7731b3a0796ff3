/**
 * A venue's size delta larger than any position (up to `type(int256).min`) reverts with `SizeTooLarge`, not a
 * checked-arithmetic panic from `|delta| × unit value`; a fill of exactly `type(uint128).max` passes that check
 * and stops at the position limit. (Found by the security review; only a registered venue can send such a delta,
 * the Exchange's sizes are uint128.)
 */
import { expect } from "chai";
import { network } from "hardhat";

import { WAD, deployClearinghouse } from "../helpers/clearinghouseFixture.js";

const INT256_MIN = -(2n ** 255n);
const UINT128_MAX = 2n ** 128n - 1n;

describe("security: huge venue deltas", function () {
  it("trade_hugeDeltaRevertsWithSizeTooLargeNotAPanic", async function () {
    const { ethers, networkHelpers } = await network.create();
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    await f.fund(f.alice, "1000");
    await f.fund(f.bob, "1000");
    for (const delta of [INT256_MIN, 2n ** 255n - 1n, -(UINT128_MAX + 1n), UINT128_MAX + 1n]) {
      const size = delta < 0n ? -delta : delta;
      await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, delta, 10n * WAD))
        .to.be.revertedWithCustomError(f.ch, "SizeTooLarge")
        .withArgs(size, UINT128_MAX);
    }
    const [, , , maxPositionSize] = await f.ch.riskParams(f.marketId);
    await expect(f.venue.trade(f.marketId, f.bob.address, f.alice.address, -UINT128_MAX, 10n * WAD))
      .to.be.revertedWithCustomError(f.ch, "PositionSizeExceeded")
      .withArgs(f.alice.address, UINT128_MAX, maxPositionSize);
  });
});
