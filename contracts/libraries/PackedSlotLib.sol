// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIndexOracle} from "../interfaces/IIndexOracle.sol";

/// @title PackedSlotLib
/// @notice One-`SLOAD` reads and one-`SSTORE` writes of the oracle's single-slot structs on its hot path.
/// @dev Solidity copies a packed storage struct to memory with one `SLOAD` per member and writes
/// members one by one; on `submit` that costs about a thousand gas. These helpers read and write the
/// whole word instead, following Solidity's packing rule (first member in the lowest-order bits):
/// - `IndexState`: quorum [0, 8), reporterCount [8, 16), reporterSlots [16, 48), maxAge [48, 80),
///   minInterval [80, 112), maxDeviation [112, 176), checkpointCount [176, 208), lastObservedAt [208, 240),
///   faultBound [240, 248), number [248, 256) (not decoded by `load`, see there);
/// - `Checkpoint`: timestamp [0, 32), value [32, 128), cumulative [128, 256).
/// The oracle's views read the same slots through ordinary Solidity, and the tests compare both.
library PackedSlotLib {
    uint256 private constant MASK_8 = 0xff;
    uint256 private constant MASK_32 = 0xffffffff;
    uint256 private constant MASK_64 = 0xffffffffffffffff;
    uint256 private constant MASK_96 = 0xffffffffffffffffffffffff;
    /// @dev The bits of `checkpointCount` and `lastObservedAt` in the `IndexState` word.
    uint256 private constant ROUND_FIELDS_MASK = ((uint256(1) << 64) - 1) << 176;

    /// @notice Reads `state` with one `SLOAD`: every field but `number`, which stays zero (measured: decoding it
    /// costs every round about 50 gas, and only the listener push needs it, through `number(word)`); also
    /// returns the word read, for `storeRound` and `number`.
    function load(
        IIndexOracle.IndexState storage state
    ) internal view returns (IIndexOracle.IndexState memory s, uint256 word) {
        assembly ("memory-safe") {
            word := sload(state.slot)
        }
        s.quorum = uint8(word & MASK_8);
        s.reporterCount = uint8((word >> 8) & MASK_8);
        s.reporterSlots = uint32((word >> 16) & MASK_32);
        s.maxAge = uint32((word >> 48) & MASK_32);
        s.minInterval = uint32((word >> 80) & MASK_32);
        s.maxDeviation = uint64((word >> 112) & MASK_64);
        s.checkpointCount = uint32((word >> 176) & MASK_32);
        s.lastObservedAt = uint32((word >> 208) & MASK_32);
        s.faultBound = uint8((word >> 240) & MASK_8);
    }

    /// @notice The `number` field of an `IndexState` word returned by `load`.
    function number(uint256 word) internal pure returns (uint256) {
        return word >> 248;
    }

    /// @notice Sets `checkpointCount` and `lastObservedAt` of `state` in one `SSTORE`, keeping the other fields
    /// as they are in `word`, the slot's current content (from `load`, with no write to the slot since): no
    /// second `SLOAD`.
    /// @dev Both counts must fit 32 bits (the caller checks).
    function storeRound(
        IIndexOracle.IndexState storage state,
        uint256 word,
        uint256 checkpointCount,
        uint256 lastObservedAt
    ) internal {
        uint256 fields = (checkpointCount << 176) | (lastObservedAt << 208);
        uint256 kept = word & ~ROUND_FIELDS_MASK;
        assembly ("memory-safe") {
            sstore(state.slot, or(kept, fields))
        }
    }

    /// @notice Reads `checkpoint` with one `SLOAD`.
    function load(IIndexOracle.Checkpoint storage checkpoint) internal view returns (IIndexOracle.Checkpoint memory c) {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(checkpoint.slot)
        }
        c.timestamp = uint32(word & MASK_32);
        c.value = uint96((word >> 32) & MASK_96);
        c.cumulative = uint128(word >> 128);
    }

    /// @notice Writes a whole checkpoint with one `SSTORE`.
    function store(IIndexOracle.Checkpoint storage checkpoint, uint32 timestamp, uint96 value, uint128 cumulative)
        internal
    {
        uint256 word = uint256(timestamp) | (uint256(value) << 32) | (uint256(cumulative) << 128);
        assembly ("memory-safe") {
            sstore(checkpoint.slot, word)
        }
    }
}
