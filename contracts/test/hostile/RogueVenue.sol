// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouseVenue} from "../../interfaces/IClearinghouseVenue.sol";

/// @notice Hostile venue: books any trade between any two accounts, with no order and no signature.
/// Unregistered it must be refused; registered it shows why a venue is fully trusted (`setVenue` carries
/// the longest delay) and what the Clearinghouse's own checks still bound.
contract RogueVenue {
    IClearinghouseVenue public immutable CLEARINGHOUSE;

    constructor(IClearinghouseVenue clearinghouse_) {
        CLEARINGHOUSE = clearinghouse_;
    }

    /// @notice Trades `victim` against `beneficiary` without either signing anything.
    function forceTrade(bytes32 marketId, address victim, address beneficiary, int256 victimSizeDelta, uint256 price)
        external
    {
        CLEARINGHOUSE.trade(marketId, beneficiary, victim, victimSizeDelta, price, bytes32(0));
    }
}
