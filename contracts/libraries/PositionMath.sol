// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {WAD, WadMath} from "./WadMath.sol";

/// @title PositionMath
/// @notice The pure price and position math of the Clearinghouse, mirroring `sdk/core/math/market.ts` and
/// `sdk/core/math/position.ts` one to one (same names, same order; every rounding direction in the name).
/// @dev Internal functions only, so they are inlined where used. Values in wad dollars unless the name says
/// collateral units ("tokens").
library PositionMath {
    using WadMath for uint256;

    /// @dev Length of the year the basis rate is annualised over.
    uint256 internal constant YEAR = 365 days;

    // ------------------------------------------------------------------ prices (sdk/core/math/market.ts)

    /// @dev Value of one contract at `price`, wad dollars, rounded down (the same value is used for
    /// every account, so sums over a market stay exactly zero).
    function unitValueDown(uint256 price, uint256 contractSize) internal pure returns (uint256) {
        return WadMath.mulDivDown(price, contractSize, WAD);
    }

    /// @dev `index * (1 + basisRate * tau)` with tau in years; needs `nowTs < expiry`. The bounds on
    /// `maxBasisRate` (< 0.9) and time to expiry (< 366 days) keep the factor above 0.09.
    function liveMarkDown(uint256 index, int256 basisRate, uint256 expiry, uint256 nowTs) internal pure returns (uint256) {
        int256 tau = int256(((expiry - nowTs) * WAD) / YEAR);
        int256 factor = int256(WAD) + (basisRate * tau) / int256(WAD);
        return WadMath.mulDivDown(index, uint256(factor), WAD);
    }

    /// @dev The EMA weight of a fill of `size` contracts: the full `weight` from `depth` contracts up,
    /// `weight × size / depth` below it, rounded down (toward not moving the basis). Small fills adding up to
    /// `s` contracts move the basis no further than one fill of `s` would without the `maxBasisStep` cap.
    /// `depth > 0` (`_checkRisk`); `weight` is a stored uint64.
    function basisWeightDown(uint256 weight, uint256 size, uint256 depth) internal pure returns (uint256) {
        if (size >= depth) return weight;
        // size < depth < 2**56 and weight < 2**64: the product is below 2**120.
        unchecked {
            return (weight * size) / depth;
        }
    }

    // ------------------------------------------------------------------ positions (sdk/core/math/position.ts)

    /// @dev Applies a size change `delta` at per-contract value `v` to `(size, notional)`. Reducing a
    /// position realises PnL against the removed share of the cost basis; the removed share is rounded
    /// toward +infinity, so the realised PnL rounds down for both longs and shorts (against the account).
    /// Only a realised loss leaves the position (`realised <= 0`): a realised gain stays in the cost basis as
    /// an escrowed claim on the market (so a closed winning position is `(0, -gain)`), paid with the market's
    /// settlement claims, pro rata to what the market's losers paid. Every payout is then backed by
    /// tokens a loser paid in (docs/clearinghouse.md, "Solvency").
    function applyDelta(
        int256 size,
        int256 notional,
        int256 delta,
        uint256 v
    ) internal pure returns (int256 newSize, int256 newNotional, int256 realised) {
        newSize = size + delta;
        if (size == 0 || (size > 0) == (delta > 0)) {
            return (newSize, notional + delta * int256(v), 0);
        }
        uint256 absSize = WadMath.abs(size);
        uint256 absDelta = WadMath.abs(delta);
        uint256 closed = absDelta < absSize ? absDelta : absSize;
        int256 removed;
        if (closed == absSize) removed = notional;
        else if (notional >= 0) removed = int256(WadMath.mulDivUp(uint256(notional), closed, absSize));
        else removed = -int256(WadMath.mulDivDown(uint256(-notional), closed, absSize));
        int256 closedSigned = size > 0 ? int256(closed) : -int256(closed);
        realised = closedSigned * int256(v) - removed;
        newNotional = notional - removed;
        if (absDelta > absSize) newNotional += newSize * int256(v);
        if (realised > 0) {
            // Escrow the gain: it stays in the cost basis (the position's value rises by exactly `realised`).
            newNotional -= realised;
            realised = 0;
        }
    }

    /// @dev Whether a position slot holds nothing: no contracts and no escrowed gain. Any other state holds
    /// a lane of the account's open-market list and counts in the market's `openPositions`.
    function isEmptySlot(int256 size, int256 notional) internal pure returns (bool) {
        return size == 0 && notional == 0;
    }

    /// @dev Realised wad PnL in collateral units: credits rounded down, debits rounded up.
    function pnlToTokens(int256 pnl, uint256 scale) internal pure returns (int256) {
        if (pnl >= 0) return int256(uint256(pnl).toTokenDown(scale));
        return -int256(uint256(-pnl).toTokenUp(scale));
    }

    /// @dev Whether going from `oldSize` to `newSize` increases risk (grows or flips the position).
    function increasesRisk(int256 oldSize, int256 newSize) internal pure returns (bool) {
        if (newSize == 0) return false;
        if (oldSize == 0) return true;
        if ((oldSize > 0) != (newSize > 0)) return true;
        return WadMath.abs(newSize) > WadMath.abs(oldSize);
    }

    /// @dev Change of a market's open interest (sum of long sizes) for one account going old -> new.
    function longDelta(int256 oldSize, int256 newSize) internal pure returns (int256) {
        // Unchecked: both terms are in [0, type(int256).max], so their difference fits.
        unchecked {
            return (newSize > 0 ? newSize : int256(0)) - (oldSize > 0 ? oldSize : int256(0));
        }
    }
}
