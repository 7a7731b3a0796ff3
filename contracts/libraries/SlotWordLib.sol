// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {
    Account,
    BASIS_MAX_POSITION_AT,
    BASIS_MAX_RATE_AT,
    BASIS_MAX_STEP_AT,
    CHECKS_MAKER_FEE_AT,
    CHECKS_PRICE_BAND_AT,
    CHECKS_TAKER_FEE_AT,
    LAYOUT_TRADE_SETTINGS,
    Layout,
    MARK_BASIS_AT,
    MARK_BASIS_TIME_AT,
    MARK_MIN_SIZE_AT,
    MARKET_BASIS_PARAMS,
    MARKET_MARK_BASIS,
    MARKET_TRADE,
    MARKET_TRADE_CHECKS,
    MARKET_VALUATION,
    Market,
    Position,
    SETTINGS_PAUSED_AT,
    SETTINGS_PENDING_FEES_AT,
    TRADE_MARKET_INDEX_AT,
    TRADE_OPEN_INTEREST_AT,
    TRADE_PAUSED_AT,
    VALUATION_CONTRACT_SIZE_AT,
    VALUATION_IMR_AT,
    VALUATION_INDEX_NUMBER_AT,
    VALUATION_MMR_AT
} from "./ClearinghouseStorage.sol";

/// @title SlotWordLib
/// @notice One-`SLOAD` reads and one-`SSTORE` writes of the packed slots a trade reads and writes:
/// - each side's `Position` (size in the low 128 bits, open notional in the high 128, both two's complement) and
///   `Account` (balance in the low 128 bits, two's complement; the open-market lanes in the high 128);
/// - a market's valuation slot (`MARKET_VALUATION`, read by a trade and each margin check), its trade checks
///   (`MARKET_TRADE_CHECKS`) and basis parameters (`MARKET_BASIS_PARAMS`, each read once by each fill) and its
///   mark-basis slot (`MARKET_MARK_BASIS`, read as a trade opens);
/// - what a trade closes with: the market's hot slot (`MARKET_TRADE`: the pause read, the open interest and basis
///   written together) and the global trade settings (`LAYOUT_TRADE_SETTINGS`: the global pause read, the
///   pending fees written).
/// @dev Solidity reads a packed struct's members with one `SLOAD` each and writes them one by one (read, mask,
/// write), and under the IR optimizer at 200 runs neither is merged across the trade path's helpers: a fill
/// read each side's position slot four times and wrote it twice. Each helper follows Solidity's packing rule
/// (first member in the lowest-order bits), the `MARKET_*` / `LAYOUT_*` slot offsets and the fields' first bits
/// named beside them (`VALUATION_*_AT`, `TRADE_*_AT`, …), which `ClearinghouseStorageSlotsTest` checks against a
/// live Clearinghouse; each field is masked to its stored type's width. `SlotWordLibTest` checks
/// every helper against the structs' own member reads and writes, over each field's whole range.
library SlotWordLib {
    using SafeCast for int256;

    /// @notice `p`'s size and open notional, read with one `SLOAD`.
    function loadPosition(Position storage p) internal view returns (int256 size, int256 openNotional) {
        assembly ("memory-safe") {
            let word := sload(p.slot)
            size := signextend(15, word)
            openNotional := sar(128, word)
        }
    }

    /// @notice Stores `size` and `openNotional` into `p` with one `SSTORE`; reverts (`SafeCast`) when either
    /// does not fit 128 bits, as the member writes did.
    function storePosition(Position storage p, int256 size, int256 openNotional) internal {
        uint256 word = uint256(uint128(size.toInt128())) | (uint256(uint128(openNotional.toInt128())) << 128);
        assembly ("memory-safe") {
            sstore(p.slot, word)
        }
    }

    /// @notice `a`'s balance (`balance_`: `balance` names an assembly builtin) and open-market lanes, read with one `SLOAD`.
    function loadAccount(Account storage a) internal view returns (int256 balance_, uint128 markets) {
        assembly ("memory-safe") {
            let word := sload(a.slot)
            balance_ := signextend(15, word)
            markets := shr(128, word)
        }
    }

    /// @notice Stores `balance_` and `markets` into `a` with one `SSTORE`; reverts (`SafeCast`) when the balance
    /// does not fit 128 bits, as the member write did.
    function storeAccount(Account storage a, int256 balance_, uint128 markets) internal {
        uint256 word = uint256(uint128(balance_.toInt128())) | (uint256(markets) << 128);
        assembly ("memory-safe") {
            sstore(a.slot, word)
        }
    }

    /// @notice `m`'s valuation slot as one word: expiry (bits 0-39), contract size (40-119), initial and
    /// maintenance margin ratios (120-183, 184-247) and the index's number in the oracle (248-255), each read from
    /// it by its getter below, so a caller decodes only what it uses.
    function loadValuationWord(Market storage m) internal view returns (uint256) {
        return _marketWord(m, MARKET_VALUATION);
    }

    /// @notice The expiry in a `loadValuationWord` word.
    function expiryOf(uint256 word) internal pure returns (uint256) {
        return word & type(uint40).max;
    }

    /// @notice The index's number in the oracle in a `loadValuationWord` word.
    function indexNumberOf(uint256 word) internal pure returns (uint256) {
        return word >> VALUATION_INDEX_NUMBER_AT;
    }

    /// @notice The contract size in a `loadValuationWord` word.
    function contractSizeOf(uint256 word) internal pure returns (uint256) {
        return (word >> VALUATION_CONTRACT_SIZE_AT) & type(uint80).max;
    }

    /// @notice The initial margin ratio in a `loadValuationWord` word.
    function imrOf(uint256 word) internal pure returns (uint256) {
        return (word >> VALUATION_IMR_AT) & type(uint64).max;
    }

    /// @notice The maintenance margin ratio in a `loadValuationWord` word.
    function mmrOf(uint256 word) internal pure returns (uint256) {
        return (word >> VALUATION_MMR_AT) & type(uint64).max;
    }

    /// @notice `m`'s trade checks (`MARKET_TRADE_CHECKS`), read with one `SLOAD`: tick size (bits 0-79), maker
    /// and taker fee (80-135, 136-191), price band (192-255).
    function loadTradeChecks(
        Market storage m
    ) internal view returns (uint256 tick, uint256 makerFee, uint256 takerFee, uint256 band) {
        uint256 word = _marketWord(m, MARKET_TRADE_CHECKS);
        tick = word & type(uint80).max;
        makerFee = (word >> CHECKS_MAKER_FEE_AT) & type(uint56).max;
        takerFee = (word >> CHECKS_TAKER_FEE_AT) & type(uint56).max;
        band = word >> CHECKS_PRICE_BAND_AT;
    }

    /// @notice `m`'s basis parameters and position limit (`MARKET_BASIS_PARAMS`) as one word: basis weight (bits
    /// 0-63), largest basis rate (64-127), largest basis step (128-191), largest position (192-255).
    function loadBasisParams(Market storage m) internal view returns (uint256) {
        return _marketWord(m, MARKET_BASIS_PARAMS);
    }

    /// @notice The basis weight in a `loadBasisParams` word.
    function basisWeightOf(uint256 word) internal pure returns (uint256) {
        return word & type(uint64).max;
    }

    /// @notice The largest basis rate in a `loadBasisParams` word.
    function maxBasisRateOf(uint256 word) internal pure returns (uint256) {
        return (word >> BASIS_MAX_RATE_AT) & type(uint64).max;
    }

    /// @notice The largest basis step in a `loadBasisParams` word.
    function maxBasisStepOf(uint256 word) internal pure returns (uint256) {
        return (word >> BASIS_MAX_STEP_AT) & type(uint64).max;
    }

    /// @notice The largest position in a `loadBasisParams` word.
    function maxPositionOf(uint256 word) internal pure returns (uint256) {
        return word >> BASIS_MAX_POSITION_AT;
    }

    /// @notice From `m`'s mark-basis slot (`MARKET_MARK_BASIS`), read with one `SLOAD`: the minimum size (bits
    /// 64-95), the mark basis (96-159, int64) and its second (160-191).
    function loadMarkBasis(
        Market storage m
    ) internal view returns (uint256 minSize, int256 markBasis, uint256 markBasisTime) {
        uint256 word = _marketWord(m, MARKET_MARK_BASIS);
        markBasis = int64(uint64(word >> MARK_BASIS_AT));
        minSize = (word >> MARK_MIN_SIZE_AT) & type(uint32).max;
        markBasisTime = (word >> MARK_BASIS_TIME_AT) & type(uint32).max;
    }

    /// @notice `m`'s hot slot (`MARKET_TRADE`): basis rate (bits 0-63), open interest (64-127), market index
    /// (128-159), open positions (160-191), paused (192-199), basis depth (200-255).
    function loadTrade(Market storage m) internal view returns (uint256 word) {
        return _marketWord(m, MARKET_TRADE);
    }

    /// @notice The market's pause flag in a `loadTrade` word.
    function marketPaused(uint256 word) internal pure returns (bool) {
        return (word >> TRADE_PAUSED_AT) & 0xff != 0;
    }

    /// @notice The market's index (its number among the Clearinghouse's markets) in a `loadTrade` word.
    function marketIndexOf(uint256 word) internal pure returns (uint32) {
        return uint32(word >> TRADE_MARKET_INDEX_AT);
    }

    /// @notice The open interest in a `loadTrade` word.
    function openInterest(uint256 word) internal pure returns (uint256) {
        return (word >> TRADE_OPEN_INTEREST_AT) & type(uint64).max;
    }

    /// @notice Stores `word` (the slot's current content, from `loadTrade`) with its basis rate and open interest
    /// replaced, with one `SSTORE`: both cut to 64 bits, as the member writes cast them (`basis` fits int64 and `oi`
    /// uint64 by the caller's clamp and limit).
    function storeTrade(Market storage m, uint256 word, int256 basis, uint256 oi) internal {
        uint256 next = ((word >> TRADE_MARKET_INDEX_AT) << TRADE_MARKET_INDEX_AT) |
            (uint256(basis) & type(uint64).max) |
            ((oi & type(uint64).max) << TRADE_OPEN_INTEREST_AT);
        _storeMarketWord(m, MARKET_TRADE, next);
    }

    /// @notice The global trade settings word: primary venue (bits 0-159), global pause (160-167), pending fees
    /// (168-255).
    function loadTradeSettings(Layout storage s) internal view returns (uint256 word) {
        return _layoutWord(s, LAYOUT_TRADE_SETTINGS);
    }

    /// @notice The global pause flag in a `loadTradeSettings` word.
    function globalPaused(uint256 word) internal pure returns (bool) {
        return (word >> SETTINGS_PAUSED_AT) & 0xff != 0;
    }

    /// @notice The pending fees in a `loadTradeSettings` word.
    function pendingFees(uint256 word) internal pure returns (uint256) {
        return word >> SETTINGS_PENDING_FEES_AT;
    }

    /// @notice Stores `word` (the slot's current content, from `loadTradeSettings`) with its pending fees set to
    /// `pending` (below 2^88: the caller checks), with one `SSTORE`.
    function storePendingFees(Layout storage s, uint256 word, uint256 pending) internal {
        uint256 next = (word & ((1 << SETTINGS_PENDING_FEES_AT) - 1)) | (pending << SETTINGS_PENDING_FEES_AT);
        _storeLayoutWord(s, LAYOUT_TRADE_SETTINGS, next);
    }

    /// @dev The word `offset` slots after `m`'s base slot.
    function _marketWord(Market storage m, uint256 offset) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(add(m.slot, offset))
        }
    }

    /// @dev Writes the word `offset` slots after `m`'s base slot.
    function _storeMarketWord(Market storage m, uint256 offset, uint256 word) private {
        assembly ("memory-safe") {
            sstore(add(m.slot, offset), word)
        }
    }

    /// @dev The word `offset` slots after the layout's base slot.
    function _layoutWord(Layout storage s, uint256 offset) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(add(s.slot, offset))
        }
    }

    /// @dev Writes the word `offset` slots after the layout's base slot.
    function _storeLayoutWord(Layout storage s, uint256 offset, uint256 word) private {
        assembly ("memory-safe") {
            sstore(add(s.slot, offset), word)
        }
    }
}
