// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    IClearinghouse,
    MarketParams,
    MarketStatus,
    RiskParams,
    SettlementTerms
} from "../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracleReader} from "../../contracts/interfaces/IIndexOracle.sol";

/// @title ClearinghouseLens
/// @notice Read-only aggregator the SDK runs as a deployless call (its creation code travels in one
/// `eth_call`, nothing is deployed): loads an account, its positions, their markets and the markets'
/// index prices, or one market, in a single request. Never deployed; not part of the protocol.
contract ClearinghouseLens {
    // The view structs live in memory and are ABI-encoded once; storage packing does not apply.
    /// @notice Everything about one market, with its index price (`indexOk` false when `latest` reverts) and,
    /// from expiry on, the oracle TWAP over the settlement window that an expired market without a proposed
    /// price is marked at (`twapOk` false before expiry or when `twap` reverts), and the contract's own mark
    /// (`markOk` false when `markPrice` reverts) and liquidation mark (`liquidationMarkPrice`, the basis
    /// averaged over time; `liquidationMarkOk` false when it reverts): within a second in which the market
    /// traded the mark uses the basis from before that second's first trade, so the SDK takes both from here.
    /// `status` comes first, before the id, because of how the result travels: the deployless call runs the
    /// lens inside the creation of a contract whose code is the result, and EIP-3541 rejects new code whose first
    /// byte is 0xEF. A result that began with the id (a hash) would fail for one market in 256; `status` is a
    /// small enum, so the first byte is always zero. (`loadAccount`'s result begins with an offset, also small.)
    // solhint-disable-next-line gas-struct-packing
    struct MarketView {
        MarketStatus status;
        bytes32 id;
        MarketParams params;
        RiskParams risk;
        SettlementTerms terms;
        int256 basisRate;
        uint256 openInterest;
        uint256 openPositions;
        bool paused;
        uint32 index;
        uint256 proposedPrice;
        uint256 proposedAt;
        bool disputed;
        uint256 finalPrice;
        uint256 collected;
        uint256 claimed;
        int256 realisedNet;
        bool indexOk;
        uint256 indexPrice;
        uint256 indexUpdatedAt;
        bool twapOk;
        uint256 settlementTwap;
        bool markOk;
        uint256 mark;
        bool liquidationMarkOk;
        uint256 liquidationMark;
    }

    /// @notice One position of an account.
    struct PositionView {
        bytes32 marketId;
        int256 size;
        int256 openNotional;
    }

    /// @notice Protocol-wide values and the block the read ran at.
    // solhint-disable-next-line gas-struct-packing
    struct Context {
        uint256 collateralScale;
        uint64 insuranceFeeShare;
        uint64 liquidatorShare;
        uint256 insuranceFund;
        bool globalPaused;
        uint256 timestamp;
        uint256 blockNumber;
    }

    /// @notice An account, its open positions and their markets (same order).
    struct AccountView {
        int256 balance;
        PositionView[] positions;
        MarketView[] markets;
    }

    /// @notice One market and the context.
    function loadMarket(
        IClearinghouse ch,
        bytes32 id
    ) external view returns (MarketView memory market, Context memory context) {
        market = _market(ch, IIndexOracleReader(ch.oracle()), id);
        context = _context(ch);
    }

    /// @notice An account with its positions, their markets and index prices, and the context.
    function loadAccount(
        IClearinghouse ch,
        address account
    ) external view returns (AccountView memory view_, Context memory context) {
        IIndexOracleReader oracle = IIndexOracleReader(ch.oracle());
        bytes32[] memory ids;
        (view_.balance, ids) = ch.accountOf(account);
        view_.positions = new PositionView[](ids.length);
        view_.markets = new MarketView[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            (int256 size, int256 openNotional) = ch.position(account, ids[i]);
            view_.positions[i] = PositionView(ids[i], size, openNotional);
            view_.markets[i] = _market(ch, oracle, ids[i]);
        }
        context = _context(ch);
    }

    function _context(IClearinghouse ch) private view returns (Context memory c) {
        c.collateralScale = ch.collateralScale();
        (c.insuranceFeeShare, c.liquidatorShare) = ch.feeShares();
        c.insuranceFund = ch.insuranceFund();
        c.globalPaused = ch.globalPaused();
        c.timestamp = block.timestamp;
        c.blockNumber = block.number;
    }

    function _market(
        IClearinghouse ch,
        IIndexOracleReader oracle,
        bytes32 id
    ) private view returns (MarketView memory m) {
        m.id = id;
        m.params = ch.marketParams(id);
        m.risk = ch.riskParams(id);
        m.terms = ch.settlementTerms(id);
        m.status = ch.marketStatus(id);
        _state(ch, id, m);
        _settlement(ch, id, m);
        try oracle.latest(m.params.indexId) returns (uint256 value, uint256 updatedAt) {
            m.indexOk = true;
            m.indexPrice = value;
            m.indexUpdatedAt = updatedAt;
        } catch {
            m.indexOk = false;
        }
        _settlementTwap(oracle, m);
        try ch.markPrice(id) returns (uint256 mark) {
            m.markOk = true;
            m.mark = mark;
        } catch {
            m.markOk = false;
        }
        try ch.liquidationMarkPrice(id) returns (uint256 mark) {
            m.liquidationMarkOk = true;
            m.liquidationMark = mark;
        } catch {
            m.liquidationMarkOk = false;
        }
    }

    function _settlementTwap(IIndexOracleReader oracle, MarketView memory m) private view {
        uint256 expiry = m.params.expiry;
        if (block.timestamp < expiry) return;
        try oracle.twap(m.params.indexId, expiry - m.params.settlementWindow, expiry) returns (uint256 value) {
            m.twapOk = true;
            m.settlementTwap = value;
        } catch {
            m.twapOk = false;
        }
    }

    function _state(IClearinghouse ch, bytes32 id, MarketView memory m) private view {
        (m.basisRate, m.openInterest, m.openPositions, m.paused, m.index) = ch.marketState(id);
    }

    function _settlement(IClearinghouse ch, bytes32 id, MarketView memory m) private view {
        (
            m.proposedPrice,
            m.proposedAt,
            m.disputed,
            m.finalPrice,
            m.collected,
            m.claimed,
            m.realisedNet
        ) = ch.settlementState(id);
    }
}
