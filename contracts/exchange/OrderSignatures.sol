// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IExchange} from "../interfaces/IExchange.sol";
import {ORDER_TYPEHASH as ORDER_TYPE_HASH, Order, OrderLib} from "../libraries/OrderTypes.sol";

/// @title OrderSignatures
/// @notice Exchange mixin: EIP-712 order hashing, delegated signers, and signature checks for EOAs
/// (ECDSA, low-s, 65 bytes), delegates and EIP-1271 contract wallets.
/// @dev The deriving contract calls the `EIP712` constructor with the domain name and version.
abstract contract OrderSignatures is IExchange, EIP712 {
    using OrderLib for Order;

    mapping(address trader => mapping(address delegate => bool)) private _delegates;

    /// @inheritdoc IExchange
    function setDelegate(address delegate, bool approved) external {
        if (delegate == address(0) || delegate == msg.sender) revert InvalidDelegate(delegate);
        _delegates[msg.sender][delegate] = approved;
        emit DelegateSet(msg.sender, delegate, approved);
    }

    /// @inheritdoc IExchange
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashOrder(order);
    }

    /// @inheritdoc IExchange
    // solhint-disable-next-line func-name-mixedcase
    function ORDER_TYPEHASH() external pure returns (bytes32) {
        return ORDER_TYPE_HASH;
    }

    /// @inheritdoc IExchange
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IExchange
    function isDelegate(address trader, address delegate) external view returns (bool) {
        return _isDelegate(trader, delegate);
    }

    /// @dev The order hash: the full EIP-712 digest of `order` under this contract's domain.
    function _hashOrder(Order calldata order) internal view returns (bytes32) {
        return _hashTypedDataV4(order.structHash());
    }

    /// @dev Whether `delegate` may sign and cancel for `trader`.
    function _isDelegate(address trader, address delegate) internal view returns (bool) {
        return _delegates[trader][delegate];
    }

    /// @dev Accepts an ECDSA signature by the trader or one of its delegates, or an EIP-1271 approval by
    /// a contract-wallet trader. ECDSA is tried first so that an EOA trader costs no code-size lookup.
    function _checkSignature(address trader, bytes32 orderHash, bytes calldata signature) internal view {
        (address signer, ECDSA.RecoverError err, bytes32 errArg) = ECDSA.tryRecoverCalldata(orderHash, signature);
        if (err == ECDSA.RecoverError.NoError && (signer == trader || _delegates[trader][signer])) return;
        if (trader.code.length != 0) {
            if (SignatureChecker.isValidERC1271SignatureNowCalldata(trader, orderHash, signature)) return;
            revert InvalidContractSignature(orderHash, trader);
        }
        if (err == ECDSA.RecoverError.InvalidSignatureLength) revert InvalidSignatureLength(orderHash, uint256(errArg));
        if (err == ECDSA.RecoverError.InvalidSignatureS) revert MalleableSignature(orderHash, errArg);
        if (err == ECDSA.RecoverError.InvalidSignature) revert InvalidSignature(orderHash);
        revert UnauthorisedSigner(orderHash, trader, signer);
    }
}
