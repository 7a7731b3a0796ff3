// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouseVenue, VenueFill} from "../interfaces/IClearinghouseVenue.sol";

/// @notice Test venue: forwards any trade or batch to the Clearinghouse (no order checks). `trade` is a venue
/// without orders (zero maker order hash); `tradeBatch` forwards the fills and taker order hash as given.
contract TestVenue {
    IClearinghouseVenue public immutable CLEARINGHOUSE;

    constructor(IClearinghouseVenue clearinghouse_) {
        CLEARINGHOUSE = clearinghouse_;
    }

    function trade(bytes32 marketId, address maker, address taker, int256 takerSizeDelta, uint256 price) external {
        CLEARINGHOUSE.trade(marketId, maker, taker, takerSizeDelta, price, bytes32(0));
    }

    function tradeBatch(bytes32 marketId, address taker, bytes32 takerOrderHash, VenueFill[] calldata fills) external {
        CLEARINGHOUSE.tradeBatch(marketId, taker, takerOrderHash, fills);
    }
}
