// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {Exchange} from "../../../contracts/Exchange.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {MockClearinghouseVenue} from "../../../contracts/test/MockClearinghouseVenue.sol";
import {Vm} from "../utils/TestBase.sol";

/// @notice Deploys an Exchange on a mock venue and builds and signs orders with known keys.
library ExchangeFixture {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev secp256k1 group order: `s` above half of it is the malleable twin of a valid signature.
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function deploy(address admin) internal returns (Exchange exchange, MockClearinghouseVenue venue) {
        AccessManager manager = new AccessManager(admin);
        venue = new MockClearinghouseVenue();
        exchange = new Exchange(venue, address(manager));
    }

    function order(address trader, bytes32 marketId, bool isBuy, uint128 size, uint256 price, uint256 salt)
        internal
        view
        returns (Order memory)
    {
        return Order({
            trader: trader,
            marketId: marketId,
            isBuy: isBuy,
            size: size,
            limitPrice: price,
            expiry: vm.getBlockTimestamp() + 1 days,
            nonce: salt,
            salt: salt,
            flags: 0
        });
    }

    function sign(Exchange exchange, uint256 privateKey, Order memory o) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, exchange.hashOrder(o));
        return abi.encodePacked(r, s, v);
    }
}
