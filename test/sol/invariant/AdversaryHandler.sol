// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouse} from "../../../contracts/interfaces/IClearinghouse.sol";
import {VenueFill} from "../../../contracts/interfaces/IClearinghouseVenue.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {HandlerOrderBook} from "../exchange/HandlerOrderBook.sol";
import {SystemHandlerBase} from "./SystemHandlerBase.sol";

/// @notice The adversarial trader (the `adversary` action): actor 3, "mallory", self-trades, fills voided
/// orders, withdraws beyond her free collateral, liquidates healthy accounts, deleverages solvent ones,
/// cancels others' orders, calls the venue entry points and restricted functions herself, and settles
/// early. None of it may succeed.
abstract contract AdversaryHandler is SystemHandlerBase {
    using HandlerOrderBook for HandlerOrderBook.Book;

    uint256 internal constant MALLORY = 3;

    uint256 public constant ADV_SELF_TRADE = 0;
    uint256 public constant ADV_FILL_VOIDED = 1;
    uint256 public constant ADV_CANCEL_OTHERS = 2;
    uint256 public constant ADV_WITHDRAW_BEYOND_FREE = 3;
    uint256 public constant ADV_LIQUIDATE_HEALTHY = 4;
    uint256 public constant ADV_DELEVERAGE_SOLVENT = 5;
    uint256 public constant ADV_TRADE_AS_VENUE = 6;
    uint256 public constant ADV_RESTRICTED = 7;
    uint256 public constant ADV_SETTLE_EARLY = 8;
    uint256 public constant ADV_KINDS = 9;

    /// @notice Mallory (actor 3) tries action `kind % ADV_KINDS` (see the `ADV_*` constants); `a`, `b`,
    /// `c` are its random parameters.
    function adversary(uint256 kind, uint256 a, uint256 b, uint256 c) external {
        kind %= ADV_KINDS;
        if (kind == ADV_SELF_TRADE) _advSelfTrade(a, b, c);
        else if (kind == ADV_FILL_VOIDED) _advFillVoidedOrder(a, b);
        else if (kind == ADV_CANCEL_OTHERS) _advCancelOthersOrder(a);
        else if (kind == ADV_WITHDRAW_BEYOND_FREE) _advWithdrawBeyondFree(a);
        else if (kind == ADV_LIQUIDATE_HEALTHY) _advLiquidateHealthy(a, b, c);
        else if (kind == ADV_DELEVERAGE_SOLVENT) _advDeleverageSolvent(a, b, c);
        else if (kind == ADV_TRADE_AS_VENUE) _advTradeAsVenue(a, b, c % 2 == 1);
        else if (kind == ADV_RESTRICTED) _advCallRestricted(a, b);
        else _advSettleEarly(a, b);
    }

    // ------------------------------------------------------------------ adversarial trader (actor 3)

    /// @notice Mallory trades with herself: directly through a venue, by filling her own order, or by
    /// matching two of her orders.
    function _advSelfTrade(uint256 market, uint256 size, uint256 mode) internal {
        market %= MARKETS;
        if (vm.getBlockTimestamp() >= _expiries[market]) return;
        address m = _actors[MALLORY];
        uint256 price = (_markOrIndex(market) / TICK) * TICK;
        int256 delta = int256(1 + (size % 10));
        reached["adv-self-trade"] += 1;
        mode %= 3;
        if (mode == 0) {
            try ch.trade(_marketIds[market], m, m, delta, price, bytes32(0)) {
                ++adversarySucceeded;
            } catch {}
            return;
        }
        Order memory sell = _malloryOrder(market, false, uint128(uint256(delta)), price);
        bytes memory sellSig = _book.sigs[_book.count() - 1];
        if (mode == 1) {
            vm.prank(m);
            try exchange.fillOrder(sell, sellSig, uint256(delta)) {
                ++adversarySucceeded;
            } catch {}
            return;
        }
        Order memory buy = _malloryOrder(market, true, uint128(uint256(delta)), price);
        Order[] memory makers = new Order[](1);
        makers[0] = sell;
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = sellSig;
        uint256[] memory sizes = new uint256[](1);
        sizes[0] = uint256(delta);
        try exchange.matchOrders(buy, _book.sigs[_book.count() - 1], makers, sigs, sizes) {
            ++adversarySucceeded;
        } catch {}
    }

    /// @notice Mallory tries to fill another trader's order that was cancelled, nonce-voided, expired or
    /// signed by a revoked delegate.
    function _advFillVoidedOrder(uint256 orderSeed, uint256 fillSize) internal {
        uint256 n = _book.count();
        for (uint256 k = 0; k < n; ++k) {
            uint256 i = (orderSeed + k) % n;
            Order memory o = _book.orders[i];
            if (o.trader == _actors[MALLORY] || !_forbidden(i)) continue;
            reached["adv-fill-voided"] += 1;
            vm.prank(_actors[MALLORY]);
            try exchange.fillOrder(o, _book.sigs[i], 1 + (fillSize % 5)) {
                ++adversarySucceeded;
            } catch {}
            return;
        }
    }

    /// @notice Mallory cancels another trader's live order.
    function _advCancelOthersOrder(uint256 orderSeed) internal {
        uint256 n = _book.count();
        for (uint256 k = 0; k < n; ++k) {
            Order[] memory one = new Order[](1);
            one[0] = _book.orders[(orderSeed + k) % n];
            if (one[0].trader == _actors[MALLORY] || HandlerOrderBook.voided(exchange, one[0])) continue;
            reached["adv-cancel-others"] += 1;
            vm.prank(_actors[MALLORY]);
            try exchange.cancelOrders(one) {
                ++adversarySucceeded;
            } catch {}
            return;
        }
    }

    /// @notice Mallory withdraws more than her free collateral (by at least one unit).
    function _advWithdrawBeyondFree(uint256 extra) internal {
        address m = _actors[MALLORY];
        uint256 amount = 1 + (extra % 1_000) * unit;
        try ch.freeCollateral(m) returns (uint256 free) {
            amount += free;
        } catch {
            // Free collateral cannot be read (a stale index under a position): any amount must fail.
        }
        reached["adv-withdraw-beyond-free"] += 1;
        vm.prank(m);
        try ch.withdraw(amount) {
            totalOut += amount;
            ++adversarySucceeded;
        } catch {}
    }

    /// @notice Mallory liquidates an account that is not liquidatable.
    function _advLiquidateHealthy(uint256 victimSeed, uint256 market, uint256 size) internal {
        market %= MARKETS;
        address victim = _actors[victimSeed % 3];
        int256 pos = ch.positionSize(victim, _marketIds[market]);
        if (pos == 0) return;
        try ch.isLiquidatable(victim) returns (bool liquidatable) {
            if (liquidatable) return;
        } catch {
            // Unreadable health: a liquidation must fail as well.
        }
        reached["adv-liquidate-healthy"] += 1;
        uint256 abs = pos > 0 ? uint256(pos) : uint256(-pos);
        vm.prank(_actors[MALLORY]);
        try ch.liquidate(victim, _marketIds[market], 1 + (size % abs), pos > 0 ? type(uint256).max : 0) {
            ++adversarySucceeded;
        } catch {}
    }

    /// @notice Mallory deleverages an account with non-negative equity against a counterparty.
    function _advDeleverageSolvent(uint256 victimSeed, uint256 market, uint256 counterparty) internal {
        market %= MARKETS;
        address victim = _actors[victimSeed % 3];
        if (ch.positionSize(victim, _marketIds[market]) == 0) return;
        try ch.health(victim) returns (int256 equity, uint256, uint256) {
            if (equity < 0) return;
        } catch {}
        reached["adv-deleverage-solvent"] += 1;
        address[] memory cps = new address[](1);
        cps[0] = _actor(counterparty);
        vm.prank(_actors[MALLORY]);
        try ch.deleverage(victim, _marketIds[market], cps) {
            ++adversarySucceeded;
        } catch {}
    }

    /// @notice Mallory calls `trade` / `tradeBatch` herself, as if she were a venue.
    function _advTradeAsVenue(uint256 market, uint256 victimSeed, bool batch) internal {
        market %= MARKETS;
        address victim = _actors[victimSeed % 3];
        uint256 price = (_markOrIndex(market) / TICK) * TICK;
        bytes memory data;
        if (batch) {
            VenueFill[] memory fills = new VenueFill[](1);
            fills[0] = VenueFill({maker: victim, takerSizeDelta: 1, price: price, makerOrderHash: bytes32(0)});
            data = abi.encodeCall(ch.tradeBatch, (_marketIds[market], _actors[MALLORY], bytes32(0), fills));
        } else {
            data = abi.encodeCall(ch.trade, (_marketIds[market], victim, _actors[MALLORY], 1, price, bytes32(0)));
        }
        reached["adv-trade-as-venue"] += 1;
        _malloryCall(address(ch), data);
    }

    /// @notice Mallory calls a restricted function of the Clearinghouse or the oracle.
    function _advCallRestricted(uint256 which, uint256 seed) internal {
        address m = _actors[MALLORY];
        bytes32 marketId = _marketIds[seed % MARKETS];
        bytes32 indexId = _indexIds[seed % MARKETS];
        which %= 12;
        address target = which < 8 ? address(ch) : address(indexOracle);
        bytes memory data;
        if (which == 0) data = abi.encodeCall(IClearinghouse.setRiskParams, (marketId, _adminRisk()));
        else if (which == 1) data = abi.encodeCall(IClearinghouse.setVenue, (m, true));
        else if (which == 2) data = abi.encodeCall(IClearinghouse.setMarketPaused, (marketId, true));
        else if (which == 3) data = abi.encodeCall(IClearinghouse.setGlobalPaused, (true));
        else if (which == 4) data = abi.encodeCall(IClearinghouse.setTreasury, (m));
        else if (which == 5) data = abi.encodeCall(IClearinghouse.setFeeShares, (0, 0.1e18));
        else if (which == 6) data = abi.encodeCall(IClearinghouse.disputeSettlement, (marketId));
        else if (which == 7) data = abi.encodeCall(IClearinghouse.resolveSettlement, (marketId, _index[seed % MARKETS]));
        else if (which == 8) data = abi.encodeCall(IIndexOracle.addReporter, (indexId, m));
        else if (which == 9) data = abi.encodeCall(IIndexOracle.removeReporter, (indexId, reporterOf(0)));
        else if (which == 10) {
            data = abi.encodeCall(IIndexOracle.setIndexParams, (indexId, IIndexOracle.IndexParams(1, 7 days, 1, 10e18, 0)));
        } else {
            address[] memory reps = new address[](1);
            reps[0] = m;
            data = abi.encodeCall(
                IIndexOracle.createIndex,
                (keccak256(abi.encode(seed)), IIndexOracle.IndexParams(1, 7 days, 1, 10e18, 0), reps)
            );
        }
        reached["adv-restricted"] += 1;
        _malloryCall(target, data);
    }

    /// @notice Mallory proposes or finalizes a settlement, or settles an account, before expiry.
    function _advSettleEarly(uint256 market, uint256 which) internal {
        market %= MARKETS;
        if (vm.getBlockTimestamp() >= _expiries[market]) return;
        bytes32 id = _marketIds[market];
        which %= 3;
        bytes memory data = which == 0
            ? abi.encodeCall(IClearinghouse.proposeSettlement, (id))
            : which == 1
                ? abi.encodeCall(IClearinghouse.finalizeSettlement, (id))
                : abi.encodeCall(IClearinghouse.settle, (_actors[0], id));
        reached["adv-settle-early"] += 1;
        _malloryCall(address(ch), data);
    }

    /// @dev A call by Mallory, which must fail.
    function _malloryCall(address target, bytes memory data) internal {
        vm.prank(_actors[MALLORY]);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call(data);
        if (ok) ++adversarySucceeded;
    }

    /// @dev Signs and books an order of Mallory's at `price`.
    function _malloryOrder(uint256 market, bool isBuy, uint128 size, uint256 price) internal returns (Order memory o) {
        address m = _actors[MALLORY];
        o = Order({
            trader: m,
            marketId: _marketIds[market],
            isBuy: isBuy,
            size: size,
            limitPrice: price,
            expiry: vm.getBlockTimestamp() + 1 hours,
            nonce: exchange.minNonce(m) + 3 + (_book.salt % 100),
            salt: _book.nextSalt(),
            flags: 0
        });
        _book.add(exchange, _keys[MALLORY], o);
    }
}
