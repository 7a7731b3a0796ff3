// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockERC1271Wallet
/// @notice A minimal contract wallet for tests: approves a hash when its owner's key signed it
/// (EIP-1271), and lets the owner make arbitrary calls from the wallet (cancel, set delegates).
contract MockERC1271Wallet is IERC1271 {
    /// @notice Thrown when someone other than the owner calls `execute`.
    error NotOwner(address caller);

    address public immutable OWNER;
    bool private _rejectAll;

    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (_rejectAll) return 0xffffffff;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err == ECDSA.RecoverError.NoError && signer == OWNER) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }

    /// @notice Calls `target` with `data` from the wallet.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        return Address.functionCall(target, data);
    }

    /// @notice Makes the wallet reject every signature (a revoked approval).
    function setRejectAll(bool rejectAll) external {
        if (msg.sender != OWNER) revert NotOwner(msg.sender);
        _rejectAll = rejectAll;
    }
}
