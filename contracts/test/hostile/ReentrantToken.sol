// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Hostile collateral for security tests: a 6-decimal ERC-20 whose transfer hook, once armed,
/// calls back into a target (the Clearinghouse) with calldata chosen by the test, in the middle of the
/// target's own `transfer` / `transferFrom`. It records whether the re-entrant call succeeded and what
/// it returned, and optionally bubbles a failure up so the outer call reverts with it.
contract ReentrantToken is ERC20 {
    /// @notice The contract whose token calls trigger the attack.
    address public attackTarget;
    /// @notice The calldata sent to `attackTarget` from inside the hook.
    bytes public attackData;
    /// @notice Whether the next transfer touching `attackTarget` triggers the attack.
    bool public armed;
    /// @notice Whether a failed re-entrant call makes the outer transfer revert with the same data.
    bool public bubble;
    /// @notice How many times the hook attacked.
    uint256 public attacks;
    /// @notice Whether the last re-entrant call succeeded.
    bool public lastSucceeded;
    /// @notice What the last re-entrant call returned (revert data when it failed).
    bytes public lastReturnData;

    constructor() ERC20("Reentrant USD", "rUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Lets the token itself approve `spender`, so re-entrant deposits made by the token can pull.
    function approveFromToken(address spender, uint256 amount) external {
        _approve(address(this), spender, amount);
    }

    /// @notice Arms the hook: the next transfer in which `target_` is sender, recipient or caller calls
    /// `target_` with `data`.
    function arm(address target_, bytes calldata data, bool bubble_) external {
        attackTarget = target_;
        attackData = data;
        bubble = bubble_;
        armed = true;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (!armed || from == address(0) || to == address(0)) return;
        if (from != attackTarget && to != attackTarget && msg.sender != attackTarget) return;
        armed = false;
        ++attacks;
        // the attack: an arbitrary call back into the target
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory ret) = attackTarget.call(attackData);
        lastSucceeded = ok;
        lastReturnData = ret;
        if (!ok && bubble) {
            // re-throw the target's revert data unchanged
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }
}
