// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Hostile EIP-1271 wallet: its `isValidSignature` is not `view` and tries to re-enter a target
/// (the Exchange: fill, match or cancel) with calldata chosen by the test before answering.
/// @dev The Exchange reaches it through `STATICCALL` (OpenZeppelin `SignatureChecker`), so any state change
/// attempted inside fails. `requireReentry` selects what the wallet answers: with it, the signature is valid
/// only if the re-entrant call succeeded; without it, the wallet approves its owner's signature whatever
/// the re-entrant call did (so the outer fill proceeds and the test can check the re-entry left no trace).
contract ReentrantERC1271Wallet {
    /// @notice Gas forwarded to the re-entrant call (a static-context violation burns all of it).
    uint256 public constant REENTRY_GAS = 300_000;

    /// @notice The key that signs for this wallet.
    address public immutable OWNER;
    /// @notice The contract the wallet calls back into.
    address public attackTarget;
    /// @notice The calldata of the re-entrant call.
    bytes public attackData;
    /// @notice Whether the signature is valid only when the re-entrant call succeeds.
    bool public requireReentry;

    constructor(address owner_) {
        OWNER = owner_;
    }

    /// @notice Sets the re-entrant call and the answer mode.
    function arm(address target_, bytes calldata data, bool requireReentry_) external {
        attackTarget = target_;
        attackData = data;
        requireReentry = requireReentry_;
    }

    /// @notice Runs arbitrary calls as the wallet (to deposit, approve, set delegates).
    function execute(address to, bytes calldata data) external returns (bytes memory ret) {
        bool ok;
        // a wallet's generic execute
        // solhint-disable-next-line avoid-low-level-calls
        (ok, ret) = to.call(data);
        if (!ok) {
            // re-throw the callee's revert data unchanged
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    /// @notice Attempts the re-entrant call, then answers as configured.
    function isValidSignature(bytes32 hash, bytes calldata signature) external returns (bytes4) {
        bool reentered;
        if (attackTarget != address(0)) {
            // the attack: a state-changing call back in
            // solhint-disable-next-line avoid-low-level-calls
            (reentered, ) = attackTarget.call{gas: REENTRY_GAS}(attackData);
        }
        if (requireReentry && !reentered) return 0xffffffff;
        (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err == ECDSA.RecoverError.NoError && signer == OWNER) return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
