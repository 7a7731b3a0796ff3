// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Order} from "../libraries/OrderTypes.sol";
import {IClearinghouseVenue} from "./IClearinghouseVenue.sol";

/// @title IExchange
/// @notice Settles EIP-712 signed limit orders against the Clearinghouse. A maker order rests and trades
/// at exactly its limit price; a taker is either the caller of `fillOrder` or a signed taker order crossed
/// by any matcher in `matchOrders`. Every fill becomes one `IClearinghouseVenue.trade` call.
/// @dev The Exchange charges no fees of its own: the Clearinghouse charges each market's maker fee to the
/// maker and taker fee to the taker inside `trade`, with the caps written in its code. Margin, price band,
/// tick, minimum size, position and open-interest limits and the per-market pause are also enforced there;
/// their errors propagate unchanged out of `fillOrder` and `matchOrders`.
/// The order hash used everywhere (`filled`, events, error arguments) is the full EIP-712 digest, so it
/// is unique per chain and per Exchange deployment.
/// Replay protection is per (trader, nonce): **a nonce names one order**. An order's nonce is used up
/// when the order completes (fills its whole size, in one call or the last of several), is cancelled, or
/// (immediate-or-cancel) has its remainder voided; from then on every order of that trader with that
/// nonce is void. Two different orders signed with the same nonce therefore exclude each other: whichever
/// completes or is cancelled first voids the other. Orders whose nonce is below the trader's `minNonce`
/// (`cancelUpTo`) are void too.
interface IExchange {
    // ------------------------------------------------------------------ events

    // A fill has one event, the Clearinghouse's `Traded`, which names the maker order filled
    // (`makerOrderHash`) and, in `matchOrders`, the taker's order (`takerOrderHash`; zero for `fillOrder`).

    /// @notice Emitted when `canceller` (the trader or one of its delegates) cancels `orderHash`, using up
    /// the order's nonce (every order of `trader` with that nonce is void from now on).
    event OrderCancelled(bytes32 indexed orderHash, address indexed trader, address indexed canceller);

    /// @notice Emitted when an immediate-or-cancel taker order's unfilled remainder is voided after its match.
    // amounts are data, not lookup keys
    // solhint-disable-next-line gas-indexed-events
    event OrderRemainderVoided(bytes32 indexed orderHash, address indexed trader, uint256 filled, uint256 size);

    /// @notice Emitted when `trader` raises its minimum nonce: its orders with `nonce < minNonce` are void.
    event MinNonceRaised(address indexed trader, uint256 indexed minNonce);

    /// @notice Emitted when `trader` approves (`approved = true`) or revokes a delegated signer.
    event DelegateSet(address indexed trader, address indexed delegate, bool indexed approved);

    // ------------------------------------------------------------------ errors

    /// @notice Thrown when the Clearinghouse address given to the constructor is zero.
    error ZeroClearinghouse();

    /// @notice Thrown when an ECDSA signature is not exactly 65 bytes long (and the trader is not a
    /// contract wallet that accepts it).
    error InvalidSignatureLength(bytes32 orderHash, uint256 length);

    /// @notice Thrown when an ECDSA signature has an `s` value in the upper half of the curve order
    /// (a malleable copy of a valid signature).
    error MalleableSignature(bytes32 orderHash, bytes32 s);

    /// @notice Thrown when an ECDSA signature recovers to no address at all (bad `v`, `r` or `s`).
    error InvalidSignature(bytes32 orderHash);

    /// @notice Thrown when a signature recovers to `signer`, which is neither `trader` nor one of its delegates.
    error UnauthorisedSigner(bytes32 orderHash, address trader, address signer);

    /// @notice Thrown when `trader` is a contract wallet, its EIP-1271 `isValidSignature` rejects the
    /// signature, and the signature is not from one of its delegates either.
    error InvalidContractSignature(bytes32 orderHash, address trader);

    /// @notice Thrown when an order's `flags` has unknown bits or a contradictory combination
    /// (immediate-or-cancel with fill-or-kill, or post-only with either).
    error InvalidFlags(bytes32 orderHash, uint8 flags);

    /// @notice Thrown when an order's `size` is zero.
    error ZeroOrderSize(bytes32 orderHash);

    /// @notice Thrown when a fill of zero contracts is requested.
    error ZeroFillSize(bytes32 orderHash);

    /// @notice Thrown when an order is used at or after its `expiry`.
    error OrderExpired(bytes32 orderHash, uint256 expiry, uint256 timestamp);

    /// @notice Thrown when an order is used or cancelled although its trader's `nonce` is already used: the
    /// order (or another order of the trader with the same nonce) completed, was cancelled, or was voided as
    /// an immediate-or-cancel remainder.
    error OrderNonceUsed(bytes32 orderHash, address trader, uint256 nonce);

    /// @notice Thrown when an order's nonce is below its trader's minimum nonce (cancelled by `cancelUpTo`).
    error OrderNonceBelowMinimum(bytes32 orderHash, uint256 nonce, uint256 minNonce);

    /// @notice Thrown when a fill of `fillSize` exceeds what is left of the order (`remaining`).
    error FillExceedsRemaining(bytes32 orderHash, uint256 fillSize, uint256 remaining);

    /// @notice Thrown when maker and taker are the same account.
    error SelfTrade(address trader);

    /// @notice Thrown when a post-only order is used as a taker.
    error PostOnlyCannotTake(bytes32 orderHash);

    /// @notice Thrown when an immediate-or-cancel or fill-or-kill order is used as a resting (maker) order.
    error ImmediateOrderCannotRest(bytes32 orderHash);

    /// @notice Thrown when a reduce-only order's fill of `sizeDelta` would increase the trader's
    /// `position` or flip its sign.
    error ReduceOnlyWouldIncrease(bytes32 orderHash, int256 position, int256 sizeDelta);

    /// @notice Thrown when a fill-or-kill taker would fill `filled` of its `size` contracts, not all of them.
    error FillOrKillNotFilled(bytes32 orderHash, uint256 filled, uint256 size);

    /// @notice Thrown when a maker order trades another market than the taker order.
    error MarketMismatch(bytes32 makerOrderHash, bytes32 takerMarketId, bytes32 makerMarketId);

    /// @notice Thrown when a maker order is on the same side (both buy or both sell) as the taker order.
    error SameSide(bytes32 takerOrderHash, bytes32 makerOrderHash);

    /// @notice Thrown when a maker's price is beyond the taker's limit (above it for a buying taker,
    /// below it for a selling taker).
    error PriceNotCrossing(bytes32 makerOrderHash, uint256 makerPrice, uint256 takerLimitPrice);

    /// @notice Thrown when `matchOrders` is given no maker orders.
    error NoMakerOrders();

    /// @notice Thrown when the maker, signature and fill-size arrays of `matchOrders` differ in length.
    error LengthMismatch(uint256 makers, uint256 signatures, uint256 fillSizes);

    /// @notice Thrown when an immediate-or-cancel match would fill nothing (every maker already filled).
    error NothingFilled(bytes32 takerOrderHash);

    /// @notice Thrown when `cancelOrders` is given an empty list.
    error NoOrdersToCancel();

    /// @notice Thrown when `caller` cancels an order of `trader` without being the trader or its delegate.
    error NotTraderOrDelegate(address caller, address trader);


    /// @notice Thrown when `cancelUpTo(requested)` does not raise the caller's minimum nonce above `current`.
    error NonceNotIncreasing(uint256 current, uint256 requested);

    /// @notice Thrown when a trader names the zero address or itself as a delegate.
    error InvalidDelegate(address delegate);

    // ------------------------------------------------------------------ trading

    /// @notice Fills `fillSize` contracts of the resting `order`; the caller takes the other side at
    /// exactly `order.limitPrice`.
    /// @dev Reverts on an invalid, expired, cancelled (nonce used or below `minNonce`) or over-filled
    /// order, a bad signature, an immediate-or-cancel/fill-or-kill order (those only take), a self-trade, or
    /// a reduce-only order that would not reduce. A fill that completes the order uses up its nonce.
    /// Clearinghouse errors (margin, band, market and global pause) propagate.
    /// @param order The maker order.
    /// @param signature The trader's (or a delegate's) signature over the order's EIP-712 digest.
    /// @param fillSize Contracts to fill; at most what is left of the order.
    /// @return orderHash The order's EIP-712 digest.
    function fillOrder(Order calldata order, bytes calldata signature, uint256 fillSize)
        external
        returns (bytes32 orderHash);

    /// @notice Crosses the signed `takerOrder` with `makerOrders`, filling `fillSizes[i]` of each maker
    /// at that maker's own limit price. Anyone may call (a matcher); the caller gains nothing from it.
    /// @dev Every maker must be in the taker's market, on the other side, not the same trader, and
    /// cross: its price at or below the taker's limit for a buying taker, at or above it for a selling
    /// taker. The makers' fills together never exceed the taker's remaining size.
    /// - A post-only taker reverts; an immediate-or-cancel or fill-or-kill maker reverts.
    /// - Immediate-or-cancel taker: each fill is clipped to what the maker and the taker have left
    ///   (makers with nothing left, including completed or cancelled ones whose nonce is used, are skipped),
    ///   then the taker's remainder is voided.
    /// - Fill-or-kill taker: the fills must add up to the whole order size, or the call reverts.
    /// - Reduce-only orders are checked against the live position before every fill.
    /// - Every order that completes (and an immediate-or-cancel taker in any case) uses up its nonce.
    /// - All fills are booked in one `IClearinghouseVenue.tradeBatch` call, so limits and margin are checked
    ///   on the state after the whole match.
    /// @return takerFilled Contracts the taker filled in this call.
    function matchOrders(
        Order calldata takerOrder,
        bytes calldata takerSignature,
        Order[] calldata makerOrders,
        bytes[] calldata makerSignatures,
        uint256[] calldata fillSizes
    ) external returns (uint256 takerFilled);

    // ------------------------------------------------------------------ cancels, nonces and delegates
    // None of these is blocked by the Clearinghouse's pauses.

    /// @notice Cancels each order by using up its nonce (which voids every order of the trader with that
    /// nonce). The caller must be each order's trader or one of its delegates.
    /// @dev Cancelling a partially filled order is allowed; cancelling an order whose nonce is already used
    /// (cancelled, completed, or voided through another order with the same nonce) reverts `OrderNonceUsed`.
    function cancelOrders(Order[] calldata orders) external;

    /// @notice Voids every order of the caller whose nonce is strictly below `newMinNonce`.
    /// @dev Orders with `nonce >= newMinNonce` stay valid. `newMinNonce` must be strictly greater
    /// than the current minimum, which starts at zero. Only the trader itself may call (not a delegate).
    function cancelUpTo(uint256 newMinNonce) external;

    /// @notice Approves or revokes `delegate` as a signer of the caller's orders.
    /// @dev A delegate's ECDSA signature is accepted for the trader's orders and it may cancel them by
    /// hash. It has no other power: it cannot raise the trader's nonce, change delegates, or take the
    /// trader's side in `fillOrder`, and withdrawals are the Clearinghouse's, by the account only.
    /// Revoking takes effect at once, including for partly filled orders the delegate signed.
    function setDelegate(address delegate, bool approved) external;

    // ------------------------------------------------------------------ views

    /// @notice The Clearinghouse every fill is booked on.
    function clearinghouse() external view returns (IClearinghouseVenue);

    /// @notice The EIP-712 digest of `order` under this Exchange's domain: the order hash.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice The EIP-712 type hash of `Order`: `keccak256` of its type string, so a client can check the
    /// type string it signs against the chain's.
    // solhint-disable-next-line func-name-mixedcase
    function ORDER_TYPEHASH() external view returns (bytes32);

    /// @notice The EIP-712 domain separator (name, version, chainId, verifyingContract).
    function domainSeparator() external view returns (bytes32);

    /// @notice Contracts filled so far of the order with hash `orderHash` while it is incomplete.
    /// @dev Reset to zero when the order completes (its nonce is used up then): use `remaining` or
    /// `isNonceUsed` to tell a fresh order from a finished one.
    function filled(bytes32 orderHash) external view returns (uint256);

    /// @notice Whether `trader`'s `nonce` is used up (an order with it completed, was cancelled or voided).
    /// @dev Nonces below `minNonce(trader)` are void as well but not reported here.
    function isNonceUsed(address trader, uint256 nonce) external view returns (bool);

    /// @notice Contracts `order` may still fill: zero when its nonce is used or below the trader's
    /// `minNonce`, otherwise its size minus what it filled so far. Expiry, flags and the signature are not
    /// checked here.
    function remaining(Order calldata order) external view returns (uint256);

    /// @notice The smallest order nonce of `trader` that is still valid.
    function minNonce(address trader) external view returns (uint256);

    /// @notice Whether `delegate` may sign and cancel orders for `trader`.
    function isDelegate(address trader, address delegate) external view returns (bool);
}
