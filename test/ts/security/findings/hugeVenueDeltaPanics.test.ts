/**
 * FINDING (low, open): `Clearinghouse.trade` with a size delta whose magnitude times the per-contract value
 * overflows uint256 (for example `type(int256).min`, or any |delta| ≥ 2^256 / v) reverts with a bare
 * checked-arithmetic panic (`Panic(0x11)`, from `abs(takerSizeDelta) * v` in `trade`) instead of a specific
 * custom error. Only a registered venue can send such a delta (the Exchange caps sizes at uint128, so through
 * it the product always fits); no funds are at risk, but it breaks the rule that every bad input reverts with
 * its own error. Expected: the position-limit check (`PositionSizeExceeded`) or a SafeCast error.
 *
 * Excluded from the default run because the fix belongs in `contracts/Clearinghouse.sol` (owned elsewhere at
 * the moment): run it with `SECURITY_FINDINGS=1 npx hardhat test mocha test/ts/security/findings/hugeVenueDeltaPanics.test.ts`.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { WAD, deployClearinghouse } from "../../helpers/clearinghouseFixture.js";

const INT256_MIN = -(2n ** 255n);

// Registered only on request, so the default suite neither runs nor lists it.
if (process.env.SECURITY_FINDINGS === "1") {
  describe("FINDING: huge venue delta panics", function () {
    it("trade_hugeDeltaRevertsWithASpecificErrorNotAPanic", async function () {
      const { ethers, networkHelpers } = await network.create();
      const f = await deployClearinghouse(ethers, networkHelpers, 6);
      await f.fund(f.alice, "1000");
      await f.fund(f.bob, "1000");
      // Currently: reverted with panic code 0x11 (Arithmetic operation overflowed outside of an unchecked block).
      await expect(
        f.venue.trade(f.marketId, f.bob.address, f.alice.address, INT256_MIN, 10n * WAD),
      ).to.be.revertedWithCustomError(f.ch, "PositionSizeExceeded");
    });
  });
}
