// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarketParams} from "../../../contracts/interfaces/IClearinghouse.sol";
import {MarginLogic} from "../../../contracts/libraries/MarginLogic.sol";
import {MarketParamsLib} from "../../../contracts/libraries/MarketParamsLib.sol";
import {PositionMath} from "../../../contracts/libraries/PositionMath.sol";

/// @notice SMTChecker harness (`npm run check:smt`): `MarketParamsLib`, `PositionMath`, `MarginLogic`'s market lists.
contract MarketLogicSmt {
    /// A market id is the hash of the ABI-encoded parameters.
    function idIsHashOfEncodedParams(MarketParams calldata p) external pure {
        assert(MarketParamsLib.id(p) == keccak256(abi.encode(p)));
    }

    /// Open-interest deltas compose: going a → b → c changes open interest as much as a → c.
    function longDeltaComposes(int128 a, int128 b, int128 c) external pure {
        assert(PositionMath.longDelta(a, b) + PositionMath.longDelta(b, c) == PositionMath.longDelta(a, c));
    }

    /// A trade that only shrinks a position (same side, smaller or zero) never counts as increasing risk;
    /// opening from zero or flipping always does.
    function increasesMatchesItsDefinition(int128 oldSize, int128 newSize) external pure {
        bool inc = PositionMath.increasesRisk(oldSize, newSize);
        if (newSize == 0) assert(!inc);
        else if (oldSize == 0) assert(inc);
        else if ((oldSize > 0) != (newSize > 0)) assert(inc);
        else if (oldSize > 0) assert(inc == (newSize > oldSize));
        else assert(inc == (newSize < oldSize));
    }

    /// An open-market list: a market added to an empty lane is found and removed again, leaving the list as it was.
    function addThenRemoveRestoresTheList(uint128 list, uint32 index) external pure {
        require(index != 0);
        require(uint32(list) == 0); // the first lane is free
        uint128 added = MarginLogic.addMarket(list, index, address(0));
        assert(added != list);
        assert(MarginLogic.removeMarket(added, index) == list);
    }
}
