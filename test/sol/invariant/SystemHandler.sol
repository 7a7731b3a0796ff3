// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AdminHandler} from "./AdminHandler.sol";
import {AdversaryHandler} from "./AdversaryHandler.sol";
import {OracleAttackHandler} from "./OracleAttackHandler.sol";
import {SystemHandlerBase} from "./SystemHandlerBase.sol";

/// @notice The whole system under one handler: the Clearinghouse, the Exchange and the real `IndexOracle`
/// behind them, with keyed reporters signing EIP-712 rounds.
/// @dev Actors:
/// - four traders (actors 0..3, with delegate keys) deposit, trade directly and through signed orders,
///   liquidate, deleverage, withdraw and settle (the `ClearinghouseHandler` / `ProtocolHandler` actions);
/// - actor 3 is also the adversary ("mallory", the `adv*` actions): self-trades, fills of voided orders,
///   withdrawals beyond free collateral, liquidation of healthy accounts, deleveraging of solvent ones,
///   cancels of others' orders, direct venue calls, restricted calls;
/// - honest reporters (keys `0xB0B + i`, five authorised at the start, a sixth the admin adds and removes)
///   sign rounds near the current value; adversarial submissions (the `attack*` actions) carry outliers
///   from a minority, too few signers, replays, stale or future reports, reports signed for another chain
///   or another oracle deployment, unknown or duplicate signers, tampered values, and large moves without
///   the supermajority;
/// - the handler itself is the admin of every `AccessManager` (the `admin*` actions change risk, fee
///   shares, treasury, venue, markets, index parameters and reporters inside bounds).
/// The clock advances with and without reporting, so indices go stale and come back.
/// One entry point per actor kind (`attackOracle`, `adversary`, `admin`) keeps the number of target
/// functions small, so the invariant runner's shallow runs (depth 40) still spend most calls on trading,
/// reporting and time. Each actor kind has its own file: `SystemHandlerBase.sol` (the oracle, honest
/// reporting, clock, settlement and deposits), `OracleAttackHandler.sol`, `AdversaryHandler.sol` and
/// `AdminHandler.sol`.
contract SystemHandler is OracleAttackHandler, AdversaryHandler, AdminHandler {
    constructor(uint8 decimals) SystemHandlerBase(decimals) {}
}
