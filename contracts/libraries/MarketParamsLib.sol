// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarketParams} from "../interfaces/IClearinghouse.sol";

/// @title MarketParamsLib
/// @notice Derives a market's id from its fixed parameters.
library MarketParamsLib {
    /// @dev `keccak256(abi.encode(params))`.
    function id(MarketParams memory params) internal pure returns (bytes32) {
        return keccak256(abi.encode(params));
    }
}
