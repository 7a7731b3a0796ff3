// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {
    IClearinghouse,
    MarketParams,
    RiskParams,
    SettlementTerms
} from "../../../contracts/interfaces/IClearinghouse.sol";
import {VenueFill} from "../../../contracts/interfaces/IClearinghouseVenue.sol";
import {IIndexOracle, IIndexOracleReader} from "../../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../../contracts/libraries/CheckpointLib.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {HandlerOrderBook} from "../exchange/HandlerOrderBook.sol";
import {ProtocolHandler} from "./ProtocolHandler.sol";

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
contract SystemHandler is ProtocolHandler {
    using HandlerOrderBook for HandlerOrderBook.Book;

    uint256 public constant REPORTER_KEYS = 6;
    uint256 public constant INITIAL_REPORTERS = 5;
    uint256 public constant MAX_AGE = 1 days;
    uint256 public constant MIN_INTERVAL = 60;
    uint256 public constant MAX_DEVIATION = 0.1e18;
    uint256 public constant QUORUM = 3;
    /// @dev A realistic clock, so `now - maxAge` is far from zero.
    uint256 internal constant START = 1_700_000_000;
    uint256 internal constant MALLORY = 3;

    IndexOracle public indexOracle;
    /// @notice Another deployment of the oracle with the same reporters (its signatures must not count).
    IndexOracle public foreignOracle;

    /// @dev Accepted history per market's index, as the handler got it accepted: checkpoint time and the
    /// reference median of what was signed.
    mapping(uint256 market => uint256[]) internal _roundTimes;
    mapping(uint256 market => uint256[]) internal _roundValues;
    /// @dev The reports of the latest accepted round per market's index (replayed by `attackReplay`).
    mapping(uint256 market => IIndexOracle.SignedReport[]) internal _lastRound;
    /// @dev The newest `observedAt` of the latest accepted round per market's index.
    uint256[2] internal _lastObservedAt;

    /// @dev How the next `_fixFinalPrice` / `_settleAccounts` run (set by `settleAllVia`).
    uint256 internal _settleMode;
    uint256 internal _settleSeed;
    uint256 internal _extraMarkets;
    uint256 internal _extraIndices;

    /// @notice Attempts per action path (keyed by a short label), to show the run reaches every path.
    mapping(bytes32 label => uint256) public reached;

    /// @notice Honest rounds accepted, and honest rounds the oracle rejected (must stay zero).
    uint256 public honestRounds;
    uint256 public honestRoundsRejected;
    /// @notice Accepted rounds whose stored value is not the median of what was signed, or not
    /// timestamped now (must stay zero).
    uint256 public storedValueNotTheSignedMedian;
    /// @notice Accepted rounds in which a minority outlier moved the value outside the honest values.
    uint256 public outlierMovedValue;
    /// @notice Adversarial oracle submissions that were accepted (must stay zero).
    uint256 public attacksAccepted;
    /// @notice Trades, withdrawals with positions and liquidations that succeeded on a stale index.
    uint256 public staleTrades;
    uint256 public staleWithdrawals;
    uint256 public staleLiquidations;
    /// @notice Adversary actions that succeeded (must stay zero).
    uint256 public adversarySucceeded;
    /// @notice Permit deposits (honest or front-run) that reverted.
    uint256 public honestDepositsRejected;
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    /// @notice Final prices that are neither the oracle's TWAP over the window (proposal, fallback) nor
    /// inside its range (resolution).
    uint256 public settlementPriceMismatch;
    /// @notice Admin actions with in-bounds parameters that reverted (must stay zero).
    uint256 public adminRejected;

    /// @dev Every trader starts with 50,000 dollars deposited, so the shallow runs trade from the first call.
    constructor(uint8 decimals) ProtocolHandler(decimals) {
        uint256 amount = 50_000 * unit;
        token.mint(address(this), 4 * amount);
        token.approve(address(ch), 4 * amount);
        for (uint256 i = 0; i < 4; ++i) ch.depositFor(_actors[i], amount);
        totalIn += 4 * amount;
    }

    // ------------------------------------------------------------------ oracle hooks

    function _newOracle() internal override returns (IIndexOracleReader) {
        if (block.timestamp < START) vm.warp(START);
        indexOracle = new IndexOracle(address(new AccessManager(address(this))));
        foreignOracle = new IndexOracle(address(new AccessManager(address(this))));
        address[] memory reporters = new address[](INITIAL_REPORTERS);
        for (uint256 i = 0; i < INITIAL_REPORTERS; ++i) reporters[i] = reporterOf(i);
        IIndexOracle.IndexParams memory p = IIndexOracle.IndexParams({
            quorum: uint8(QUORUM),
            maxAge: uint32(MAX_AGE),
            minInterval: uint32(MIN_INTERVAL),
            maxDeviation: uint64(MAX_DEVIATION),
            faultBound: 0
        });
        for (uint256 m = 0; m < MARKETS; ++m) {
            indexOracle.createIndex(_indexIds[m], p, reporters);
            foreignOracle.createIndex(_indexIds[m], p, reporters);
        }
        return indexOracle;
    }

    /// @dev Reporters sign an honest round at `value` (a median within 0.05 % of it).
    function _setIndex(uint256 market, uint256 value) internal override {
        _honestRound(market, value, value);
    }

    /// @dev Stale: the clock passes both indices' `maxAge` with no report. Fresh: reporters sign the
    /// current values again.
    function _setStale(bool stale) internal override {
        if (!stale) {
            for (uint256 m = 0; m < MARKETS; ++m) _honestRound(m, _index[m], block.timestamp);
            return;
        }
        uint256 until = block.timestamp;
        for (uint256 m = 0; m < MARKETS; ++m) {
            uint256 staleAt = indexOracle.latestCheckpoint(_indexIds[m]).timestamp
                + indexOracle.indexParams(_indexIds[m]).maxAge + 1;
            if (staleAt > until) until = staleAt;
        }
        vm.warp(until);
    }

    /// @dev Mode 0: propose, wait out the dispute window, finalize (price: the TWAP). Mode 1: propose, the
    /// guardian disputes, the settlement admin resolves at a price inside the window's range. Mode 2:
    /// nobody proposes; after the fallback delay anyone finalizes at the TWAP.
    function _fixFinalPrice(uint256 market, bytes32 id) internal override {
        uint256 expiry = _expiries[market];
        uint256 from = expiry - ch.marketParams(id).settlementWindow;
        SettlementTerms memory terms = ch.settlementTerms(id);
        uint256 mode = _settleMode % 3;
        // Without enough fresh rounds in the window (`InsufficientCoverage`) neither a proposal nor a resolution
        // is possible: the market ends through the fallback, at `fallbackTwap`.
        uint256 twap;
        try indexOracle.twap(_indexIds[market], from, expiry) returns (uint256 value) {
            twap = value;
        } catch {
            mode = 2;
        }
        if (mode == 2) twap = indexOracle.fallbackTwap(_indexIds[market], from, expiry);
        if (mode == 0) {
            ch.proposeSettlement(id);
            vm.warp(block.timestamp + terms.disputeWindow);
            ch.finalizeSettlement(id);
        } else if (mode == 1) {
            ch.proposeSettlement(id);
            ch.disputeSettlement(id);
            (uint256 lo, uint256 hi) = indexOracle.range(_indexIds[market], from, expiry);
            ch.resolveSettlement(id, lo + ((hi - lo) * (_settleSeed % 101)) / 100);
        } else {
            uint256 deadline = expiry + terms.fallbackDelay;
            if (block.timestamp < deadline) vm.warp(deadline);
            ch.finalizeSettlement(id);
        }
        (, , , uint256 finalPrice, , , ) = ch.settlementState(id);
        if (mode == 1) {
            (uint256 lo, uint256 hi) = indexOracle.range(_indexIds[market], from, expiry);
            if (finalPrice < lo || finalPrice > hi) ++settlementPriceMismatch;
        } else if (finalPrice != twap) {
            ++settlementPriceMismatch;
        }
        reached[bytes32(uint256(keccak256("settle-mode")) + mode)] += 1;
    }

    /// @dev `settleMany` twice, or `settle` account by account twice (skipping those with nothing to do).
    function _settleAccounts(bytes32 id, address[] memory all) internal override {
        if (_settleSeed % 2 == 0) {
            super._settleAccounts(id, all);
            return;
        }
        for (uint256 pass = 0; pass < 2; ++pass) {
            for (uint256 i = 0; i < all.length; ++i) {
                try ch.settle(all[i], id) {} catch {}
            }
            if (pass == 0) _noteClaimsCut(id);
        }
        reached["settle-one-by-one"] += 1;
    }

    function _afterTrade(uint256 market) internal override {
        if (_isStale(market)) ++staleTrades;
    }

    function _afterWithdraw(address account) internal override {
        (, bytes32[] memory open) = ch.accountOf(account);
        for (uint256 k = 0; k < open.length; ++k) {
            uint256 m = _marketIndex(open[k]);
            // A closed slot holding an escrowed gain and an expired market (valued at its settlement value)
            // need no live index.
            if (ch.positionSize(account, open[k]) == 0 || block.timestamp >= _expiries[m]) continue;
            if (_isStale(m)) ++staleWithdrawals;
        }
    }

    function _afterLiquidation(uint256 market) internal override {
        if (_isStale(market)) ++staleLiquidations;
    }

    // ------------------------------------------------------------------ views for the invariants

    function reporterOf(uint256 i) public pure returns (address) {
        return vm.addr(_reporterKey(i));
    }

    function indexIdOf(uint256 market) external view returns (bytes32) {
        return _indexIds[market];
    }

    /// @notice The accepted rounds of market `market`'s index as the handler recorded them.
    function history(uint256 market) external view returns (uint256[] memory times, uint256[] memory values) {
        return (_roundTimes[market], _roundValues[market]);
    }

    function lastObservedAt(uint256 market) external view returns (uint256) {
        return _lastObservedAt[market];
    }

    function _isStale(uint256 market) internal view returns (bool) {
        try indexOracle.latest(_indexIds[market]) {
            return false;
        } catch {
            return true;
        }
    }

    // ------------------------------------------------------------------ clock and honest reporting

    /// @notice Reporters sign a round at the current value of both indices.
    function reportCurrentValues(uint256 seed) external {
        for (uint256 m = 0; m < MARKETS; ++m) _honestRound(m, _index[m], seed + m);
    }

    /// @notice Time passes while the reporters keep reporting.
    function warpReporting(uint256 secondsAhead, uint256 seed) external {
        vm.warp(block.timestamp + (secondsAhead % 1 days) + 1);
        for (uint256 m = 0; m < MARKETS; ++m) _honestRound(m, _index[m], seed + m);
    }

    /// @notice A real jump of 11 to 40 %: the reporters sign it with the supermajority it needs.
    function jumpIndex(uint256 market, uint256 pct, bool up) external {
        market %= MARKETS;
        uint256 value = _index[market];
        uint256 step = (value * (11 + (pct % 30))) / 100;
        value = up ? value + step : value - step;
        if (value < 1e17) value = 1e17;
        reached["jump"] += 1;
        _honestRound(market, value, pct);
    }

    /// @notice A liquidation of one contract (always within what restores maintenance margin), so the
    /// shallow runs liquidate more often than with the random sizes of `liquidate`.
    function liquidateOne(uint256 market, uint256 liquidatorSeed, uint256 who) external {
        this.liquidate(market, liquidatorSeed, who, 0);
    }

    /// @notice Jumps to the settlement window of a market (with a round inside it) and past its expiry.
    function warpPastExpiry(uint256 market, uint256 seed) external {
        market %= MARKETS;
        uint256 expiry = _expiries[market];
        if (block.timestamp >= expiry) return;
        uint256 window = ch.marketParams(_marketIds[market]).settlementWindow;
        uint256 inside = expiry - window + (seed % window);
        if (inside > block.timestamp) vm.warp(inside);
        for (uint256 m = 0; m < MARKETS; ++m) _honestRound(m, _index[m], seed + m);
        vm.warp(expiry + 1 + (seed % 1 hours));
        reached["past-expiry"] += 1;
    }

    /// @notice Settles an expired market through one of the three settlement paths, settling accounts in
    /// a batch or one by one.
    function settleAllVia(uint256 market, uint256 mode, uint256 seed) external {
        _settleMode = mode;
        _settleSeed = seed;
        _settleAll(market);
        _settleMode = 0;
        _settleSeed = 0;
    }

    // ------------------------------------------------------------------ dispatchers
    // One entry point per actor kind keeps the number of target functions small, so the invariant
    // runner's shallow runs (depth 40) still spend most calls on trading, reporting and time.

    uint256 public constant ATTACK_OUTLIER_BELOW_QUORUM = 0;
    uint256 public constant ATTACK_OUTLIER_IN_ROUND = 1;
    uint256 public constant ATTACK_REPLAY = 2;
    uint256 public constant ATTACK_STALE = 3;
    uint256 public constant ATTACK_FUTURE = 4;
    uint256 public constant ATTACK_OTHER_CHAIN = 5;
    uint256 public constant ATTACK_OTHER_DEPLOYMENT = 6;
    uint256 public constant ATTACK_UNKNOWN_SIGNER = 7;
    uint256 public constant ATTACK_DUPLICATE_SIGNER = 8;
    uint256 public constant ATTACK_TAMPERED = 9;
    uint256 public constant ATTACK_LARGE_MOVE = 10;
    uint256 public constant ATTACK_KINDS = 11;

    /// @notice An adversarial oracle submission of kind `kind % ATTACK_KINDS` (see the `ATTACK_*`
    /// constants) for market `market`'s index.
    function attackOracle(uint256 kind, uint256 market, uint256 seed) external {
        kind %= ATTACK_KINDS;
        if (kind <= ATTACK_OUTLIER_IN_ROUND) _attackMinorityOutlier(market, seed, kind == ATTACK_OUTLIER_BELOW_QUORUM);
        else if (kind == ATTACK_REPLAY) _attackReplay(market);
        else if (kind <= ATTACK_FUTURE) _attackStaleOrFuture(market, seed, kind == ATTACK_FUTURE);
        else if (kind <= ATTACK_OTHER_DEPLOYMENT) _attackForeignDomain(market, seed, kind == ATTACK_OTHER_CHAIN);
        else if (kind <= ATTACK_DUPLICATE_SIGNER) _attackSigners(market, seed, kind == ATTACK_DUPLICATE_SIGNER);
        else if (kind == ATTACK_TAMPERED) _attackTampered(market, seed);
        else _attackLargeMoveWithoutSupermajority(market, seed);
    }

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

    uint256 public constant ADMIN_RISK = 0;
    uint256 public constant ADMIN_FEE_SHARES = 1;
    uint256 public constant ADMIN_TREASURY = 2;
    uint256 public constant ADMIN_VENUE = 3;
    uint256 public constant ADMIN_CREATE_MARKET = 4;
    uint256 public constant ADMIN_INDEX_PARAMS = 5;
    uint256 public constant ADMIN_ADD_REPORTER = 6;
    uint256 public constant ADMIN_REMOVE_REPORTER = 7;
    uint256 public constant ADMIN_CREATE_INDEX = 8;
    uint256 public constant ADMIN_KINDS = 9;

    /// @notice The admin actor takes action `kind % ADMIN_KINDS` (see the `ADMIN_*` constants) with
    /// in-bounds parameters derived from `a` and `b`; every such call must succeed.
    function admin(uint256 kind, uint256 a, uint256 b) external {
        kind %= ADMIN_KINDS;
        if (kind == ADMIN_RISK) _adminSetRiskParams(a, b);
        else if (kind == ADMIN_FEE_SHARES) _adminSetFeeShares(uint64(a), uint64(b));
        else if (kind == ADMIN_TREASURY) _adminSetTreasury(a % 2 == 1);
        else if (kind == ADMIN_VENUE) _adminSetExchangeVenue(a);
        else if (kind == ADMIN_CREATE_MARKET) _adminCreateMarket(a);
        else if (kind == ADMIN_INDEX_PARAMS) _adminSetIndexParams(a, b);
        else if (kind == ADMIN_ADD_REPORTER) _adminAddReporter(a);
        else if (kind == ADMIN_REMOVE_REPORTER) _adminRemoveReporter(a, b);
        else _adminCreateIndex();
    }

    // ------------------------------------------------------------------ adversarial reporting

    /// @notice A minority of reporters sign an outlier. Below quorum (alone) it must be rejected; inside a
    /// round signed by every reporter it must not move the value outside what the honest majority signed.
    function _attackMinorityOutlier(uint256 market, uint256 seed, bool alone) internal {
        market %= MARKETS;
        bytes32 id = _indexIds[market];
        _waitMinInterval(market);
        address[] memory reps = indexOracle.reporters(id);
        uint256 outliers = alone ? indexOracle.indexParams(id).quorum - 1 : (reps.length - 1) / 2;
        if (outliers == 0) return;
        (uint256[] memory values, uint256 honestMin, uint256 honestMax) =
            _outlierValues(market, seed, alone ? outliers : reps.length, outliers);
        IIndexOracle.SignedReport[] memory reports = _reports(market, reps, values, seed, seed % reps.length);
        if (alone) {
            reached["outlier-below-quorum"] += 1;
            _expectRejected(market, reports);
            return;
        }
        reached["outlier-minority-in-round"] += 1;
        try indexOracle.submit(id, reports) returns (uint256 roundId) {
            _recordAccepted(market, reports, roundId);
            uint256 value = indexOracle.checkpoint(id, roundId).value;
            if (value < honestMin || value > honestMax) ++outlierMovedValue;
        } catch {
            // With a quorum of honest values near the last one, the round is valid.
            ++honestRoundsRejected;
        }
    }

    /// @dev `signers` values: the first `outliers` are one far outlier (x5 or /5), the others honest
    /// (near the current value; their range is returned). They go to reporters from a random starting
    /// slot (see `_reports`).
    function _outlierValues(uint256 market, uint256 seed, uint256 signers, uint256 outliers)
        internal
        view
        returns (uint256[] memory values, uint256 honestMin, uint256 honestMax)
    {
        uint256 outlier = seed % 2 == 0 ? _index[market] * 5 : _index[market] / 5 + 1;
        values = new uint256[](signers);
        honestMin = type(uint256).max;
        for (uint256 j = 0; j < signers; ++j) {
            values[j] = j < outliers ? outlier : _jitter(_index[market], seed, j);
            if (j >= outliers && values[j] < honestMin) honestMin = values[j];
            if (j >= outliers && values[j] > honestMax) honestMax = values[j];
        }
    }

    /// @notice Resubmits the latest accepted round verbatim (after the minimum interval, so it is the
    /// replay guard that must reject it).
    function _attackReplay(uint256 market) internal {
        market %= MARKETS;
        IIndexOracle.SignedReport[] memory reports = _lastRound[market];
        if (reports.length == 0) return;
        _waitMinInterval(market);
        reached["replay"] += 1;
        _expectRejected(market, reports);
    }

    /// @notice A quorum signs reports observed before `now - maxAge` (stale) or after now (future).
    function _attackStaleOrFuture(uint256 market, uint256 seed, bool future) internal {
        market %= MARKETS;
        _waitMinInterval(market);
        IIndexOracle.SignedReport[] memory reports = _quorumReports(market, seed);
        uint256[] memory keys = _keysOf(reports);
        uint256 maxAge = indexOracle.indexParams(_indexIds[market]).maxAge;
        uint256 at = future ? block.timestamp + 1 + (seed % 1 hours) : block.timestamp - maxAge - 1 - (seed % 1 hours);
        for (uint256 j = 0; j < reports.length; ++j) {
            reports[j].report.observedAt = uint64(j == seed % reports.length ? at : reports[j].report.observedAt);
        }
        _resign(reports, keys, indexOracle);
        reached[future ? bytes32("future") : bytes32("stale")] += 1;
        _expectRejected(market, reports);
    }

    /// @notice A quorum of authorised reporters signs for another chain id or another oracle deployment.
    function _attackForeignDomain(uint256 market, uint256 seed, bool otherChain) internal {
        market %= MARKETS;
        _waitMinInterval(market);
        IIndexOracle.SignedReport[] memory reports = _quorumReports(market, seed);
        uint256[] memory keys = _keysOf(reports);
        if (otherChain) {
            uint256 chainId = block.chainid;
            vm.chainId(chainId + 1 + (seed % 1_000));
            _resign(reports, keys, indexOracle);
            vm.chainId(chainId);
        } else {
            _resign(reports, keys, foreignOracle);
        }
        reached[otherChain ? bytes32("other-chain") : bytes32("other-deployment")] += 1;
        _expectRejected(market, reports);
    }

    /// @notice A quorum where one report comes from an unknown signer (a stranger or a removed reporter),
    /// or where one reporter signs twice instead of a third reporter.
    function _attackSigners(uint256 market, uint256 seed, bool duplicate) internal {
        market %= MARKETS;
        _waitMinInterval(market);
        IIndexOracle.SignedReport[] memory reports = _quorumReports(market, seed);
        uint256 j = seed % reports.length;
        if (duplicate) {
            uint256 other = (j + 1) % reports.length;
            if (other == j) return;
            reports[j].report.value = _jitter(_index[market], seed + 1, j);
            uint256 key = _keyOfSigner(reports[other]);
            reports[j] = _sign(indexOracle, key, reports[j].report);
        } else {
            reports[j] = _sign(indexOracle, _strangerKey(market, seed), reports[j].report);
        }
        reached[duplicate ? bytes32("duplicate-signer") : bytes32("unknown-signer")] += 1;
        _expectRejected(market, reports);
    }

    /// @notice A report's value is changed after it was signed.
    function _attackTampered(uint256 market, uint256 seed) internal {
        market %= MARKETS;
        _waitMinInterval(market);
        IIndexOracle.SignedReport[] memory reports = _quorumReports(market, seed);
        IIndexOracle.Report memory r = reports[seed % reports.length].report;
        r.value = r.value + 1 + (seed % 1e15);
        reached["tampered"] += 1;
        _expectRejected(market, reports);
    }

    /// @notice Exactly a plain quorum (when below the supermajority) signs a move beyond `maxDeviation`.
    function _attackLargeMoveWithoutSupermajority(uint256 market, uint256 seed) internal {
        market %= MARKETS;
        bytes32 id = _indexIds[market];
        IIndexOracle.IndexParams memory p = indexOracle.indexParams(id);
        address[] memory reps = indexOracle.reporters(id);
        if (p.quorum >= CheckpointLib.supermajority(reps.length)) return;
        _waitMinInterval(market);
        uint256 last = indexOracle.latestCheckpoint(id).value;
        uint256 factor = 1e18 + p.maxDeviation + 0.01e18 + (seed % 0.3e18);
        // factor - 1 <= 20 % + 1 % + 30 %, so the move down stays above zero.
        uint256 target = seed % 2 == 0 ? (last * factor) / 1e18 : (last * (2e18 - factor)) / 1e18;
        uint256[] memory values = new uint256[](p.quorum);
        for (uint256 j = 0; j < values.length; ++j) values[j] = _jitter(target, seed, j);
        IIndexOracle.SignedReport[] memory reports = _reports(market, reps, values, seed, seed % reps.length);
        if (!CheckpointLib.exceedsDeviation(last, _lowerMedian(values), p.maxDeviation)) return;
        reached["large-move-plain-quorum"] += 1;
        _expectRejected(market, reports);
    }

    // ------------------------------------------------------------------ admin actor (bounded params)

    /// @dev When `mmr` or the penalty of a market was last raised, and when the liquidator share was: a raise
    /// on a live market is bounded and spaced (`MarketAdminLogic`, `Clearinghouse.setFeeShares`), and this
    /// handler's admin calls stay in bounds.
    mapping(uint256 market => uint256) internal _riskRaisedAt;
    uint256 internal _shareRaisedAt;

    function _adminSetRiskParams(uint256 market, uint256 seed) internal {
        uint256 imr = 0.08e18 + (seed % 0.07e18);
        RiskParams memory risk = _adminRisk();
        RiskParams memory current = ch.riskParams(_marketIds[market % MARKETS]);
        risk.imr = uint64(imr);
        risk.mmr = uint64(imr / 2);
        risk.liquidationPenalty = uint64(imr / 5);
        // On a live market, raise by at most one step, once a day; lowering is free.
        (, uint256 oi, , , ) = ch.marketState(_marketIds[market % MARKETS]);
        bool raises = risk.mmr > current.mmr || risk.liquidationPenalty > current.liquidationPenalty;
        if (oi != 0 && raises) {
            bool soon = _riskRaisedAt[market % MARKETS] != 0 && block.timestamp < _riskRaisedAt[market % MARKETS] + 1 days;
            uint256 mmrCap = soon ? current.mmr : current.mmr + 0.01e18;
            uint256 penaltyCap = soon ? current.liquidationPenalty : current.liquidationPenalty + 0.005e18;
            if (risk.mmr > mmrCap) risk.mmr = uint64(mmrCap);
            if (risk.liquidationPenalty > penaltyCap) risk.liquidationPenalty = uint64(penaltyCap);
            if (risk.liquidationPenalty >= risk.mmr) risk.liquidationPenalty = risk.mmr / 2;
            if (risk.mmr >= risk.imr) risk.imr = risk.mmr * 2;
            if (risk.mmr > current.mmr || risk.liquidationPenalty > current.liquidationPenalty) {
                _riskRaisedAt[market % MARKETS] = block.timestamp;
            }
        }
        risk.priceBand = uint64(0.08e18 + ((seed >> 64) % 0.05e18));
        risk.basisDepth = uint64(1 + ((seed >> 128) % 40));
        _admin(address(ch), abi.encodeCall(IClearinghouse.setRiskParams, (_marketIds[market % MARKETS], risk)));
        reached["admin-risk"] += 1;
    }

    function _adminSetFeeShares(uint64 insuranceShare, uint64 liquidatorShare) internal {
        (, uint64 current) = ch.feeShares();
        uint256 share = liquidatorShare % 0.5e18;
        if (share > current) {
            bool soon = _shareRaisedAt != 0 && block.timestamp < _shareRaisedAt + 1 days;
            uint256 cap = soon ? current : current + 0.1e18;
            if (share > cap) share = cap;
            if (share > current) _shareRaisedAt = block.timestamp;
        }
        _admin(address(ch), abi.encodeCall(IClearinghouse.setFeeShares, (insuranceShare % 1e18, uint64(share))));
        reached["admin-fee-shares"] += 1;
    }

    function _adminSetTreasury(bool other) internal {
        _admin(address(ch), abi.encodeCall(IClearinghouse.setTreasury, (other ? address(0xfee) : address(0xbeef))));
        reached["admin-treasury"] += 1;
    }

    /// @notice The admin revokes the Exchange as a venue one time in four, and re-authorises it otherwise.
    function _adminSetExchangeVenue(uint256 seed) internal {
        _admin(address(ch), abi.encodeCall(IClearinghouse.setVenue, (address(exchange), seed % 4 != 0)));
        reached["admin-venue"] += 1;
    }

    /// @notice Lists another market on one of the indices (not traded by the handler).
    function _adminCreateMarket(uint256 seed) internal {
        MarketParams memory p = MarketParams(
            _indexIds[seed % MARKETS],
            keccak256(abi.encode("extra", ++_extraMarkets)),
            uint64(block.timestamp + 1 days + (seed % 300 days)),
            1_000e18,
            uint128(TICK),
            1,
            3_600
        );
        _admin(address(ch), abi.encodeCall(IClearinghouse.createMarket, (p, _adminRisk(), SettlementTerms(3_600, 2 days))));
        reached["admin-create-market"] += 1;
    }

    /// @notice New index parameters: quorum in `[2, reporters]`, `maxAge` in `[1, 2]` days, `minInterval`
    /// in `[30, 120]` s, `maxDeviation` in `[5, 20]` %.
    function _adminSetIndexParams(uint256 market, uint256 seed) internal {
        bytes32 id = _indexIds[market % MARKETS];
        uint256 n = indexOracle.reporters(id).length;
        IIndexOracle.IndexParams memory p = IIndexOracle.IndexParams({
            quorum: uint8(2 + (seed % (n - 1))),
            maxAge: uint32(1 days + ((seed >> 8) % 1 days)),
            minInterval: uint32(30 + ((seed >> 16) % 91)),
            maxDeviation: uint64(0.05e18 + ((seed >> 24) % 0.15e18)),
            faultBound: 0
        });
        _admin(address(indexOracle), abi.encodeCall(IIndexOracle.setIndexParams, (id, p)));
        reached["admin-index-params"] += 1;
    }

    /// @notice Authorises the sixth reporter key when it is not a reporter.
    function _adminAddReporter(uint256 market) internal {
        bytes32 id = _indexIds[market % MARKETS];
        address r = reporterOf(REPORTER_KEYS - 1);
        if (indexOracle.isReporter(id, r)) return;
        _admin(address(indexOracle), abi.encodeCall(IIndexOracle.addReporter, (id, r)));
        reached["admin-add-reporter"] += 1;
    }

    /// @notice Revokes a random reporter, keeping at least three and at least the quorum.
    function _adminRemoveReporter(uint256 market, uint256 seed) internal {
        bytes32 id = _indexIds[market % MARKETS];
        address[] memory reps = indexOracle.reporters(id);
        if (reps.length - 1 < 3 || reps.length - 1 < indexOracle.indexParams(id).quorum) return;
        _admin(address(indexOracle), abi.encodeCall(IIndexOracle.removeReporter, (id, reps[seed % reps.length])));
        reached["admin-remove-reporter"] += 1;
    }

    /// @notice Creates a further index (nothing trades on it).
    function _adminCreateIndex() internal {
        address[] memory reporters = new address[](INITIAL_REPORTERS);
        for (uint256 i = 0; i < INITIAL_REPORTERS; ++i) reporters[i] = reporterOf(i);
        bytes32 id = keccak256(abi.encode("extra-index", ++_extraIndices));
        IIndexOracle.IndexParams memory p = IIndexOracle.IndexParams(
            uint8(QUORUM),
            uint32(MAX_AGE),
            uint32(MIN_INTERVAL),
            uint64(MAX_DEVIATION),
            0
        );
        _admin(address(indexOracle), abi.encodeCall(IIndexOracle.createIndex, (id, p, reporters)));
        reached["admin-create-index"] += 1;
    }

    /// @notice One actor deposits for another (`depositFor`).
    function depositFor(uint256 payerSeed, uint256 accountSeed, uint256 dollars) external {
        address payer = _actor(payerSeed);
        uint256 amount = (dollars % 20_000 + 1) * unit;
        token.mint(payer, amount);
        vm.startPrank(payer);
        token.approve(address(ch), amount);
        ch.depositFor(_actor(accountSeed), amount);
        vm.stopPrank();
        totalIn += amount;
        reached["deposit-for"] += 1;
    }

    /// @notice An actor deposits with an EIP-2612 permit: `mode` 0 signs and deposits, 1 lets someone submit the
    /// permit first (front-run; the deposit still goes through), 2 signs for less than the deposit (must fail
    /// with `PermitFailed`; a success is counted as an adversarial success).
    function depositWithPermit(uint256 who, uint256 dollars, uint256 mode) external {
        uint256 a = who % 4;
        address owner = _actors[a];
        uint256 amount = (dollars % 20_000 + 1) * unit;
        mode %= 3;
        token.mint(owner, amount);
        uint256 deadline = block.timestamp + 1 hours;
        uint256 signed = mode == 2 ? amount - 1 : amount;
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner, address(ch), signed, token.nonces(owner), deadline)
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(
            _keys[a],
            keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash))
        );
        if (mode == 1) token.permit(owner, address(ch), signed, deadline, v, r, s);
        vm.prank(owner);
        try ch.depositWithPermit(amount, deadline, v, r, s) {
            if (mode == 2) ++adversarySucceeded;
            else totalIn += amount;
        } catch {
            // Only the short permit may fail; it leaves the minted tokens with the owner.
            if (mode != 2) ++honestDepositsRejected;
        }
        // Leave no allowance behind (a short permit sets one) so later deposits approve explicitly.
        vm.prank(owner);
        token.approve(address(ch), 0);
        reached[bytes32(uint256(keccak256("deposit-permit")) + mode)] += 1;
    }

    // ------------------------------------------------------------------ adversarial trader (actor 3)

    /// @notice Mallory trades with herself: directly through a venue, by filling her own order, or by
    /// matching two of her orders.
    function _advSelfTrade(uint256 market, uint256 size, uint256 mode) internal {
        market %= MARKETS;
        if (block.timestamp >= _expiries[market]) return;
        address m = _actors[MALLORY];
        uint256 price = (_markOrIndex(market) / TICK) * TICK;
        int256 delta = int256(1 + (size % 10));
        reached["adv-self-trade"] += 1;
        mode %= 3;
        if (mode == 0) {
            try ch.trade(_marketIds[market], m, m, delta, price) {
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
            fills[0] = VenueFill({maker: victim, takerSizeDelta: 1, price: price});
            data = abi.encodeCall(ch.tradeBatch, (_marketIds[market], _actors[MALLORY], fills));
        } else {
            data = abi.encodeCall(ch.trade, (_marketIds[market], victim, _actors[MALLORY], 1, price));
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
        if (block.timestamp >= _expiries[market]) return;
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

    // ------------------------------------------------------------------ helpers

    function _reporterKey(uint256 i) internal pure returns (uint256) {
        return 0xB0B + i;
    }

    /// @dev A key that is not an authorised reporter of the index: the sixth reporter key while it is not
    /// authorised (a removed reporter), otherwise a stranger.
    function _strangerKey(uint256 market, uint256 seed) internal view returns (uint256) {
        for (uint256 i = 0; i < REPORTER_KEYS; ++i) {
            uint256 k = _reporterKey((seed + i) % REPORTER_KEYS);
            if (seed % 2 == 0 && !indexOracle.isReporter(_indexIds[market], vm.addr(k))) return k;
        }
        return 0xBAD + (seed % 7);
    }

    function _keyOfSigner(IIndexOracle.SignedReport memory r) internal view returns (uint256) {
        address signer = _recover(indexOracle, r);
        for (uint256 i = 0; i < REPORTER_KEYS; ++i) {
            if (reporterOf(i) == signer) return _reporterKey(i);
        }
        revert("not a reporter key");
    }

    function _keyOf(address reporter) internal pure returns (uint256) {
        for (uint256 i = 0; i < REPORTER_KEYS; ++i) {
            if (reporterOf(i) == reporter) return _reporterKey(i);
        }
        revert("not a reporter key");
    }

    function _keysOf(IIndexOracle.SignedReport[] memory reports) internal view returns (uint256[] memory keys) {
        keys = new uint256[](reports.length);
        for (uint256 j = 0; j < reports.length; ++j) keys[j] = _keyOfSigner(reports[j]);
    }

    function _recover(IndexOracle o, IIndexOracle.SignedReport memory r) internal view returns (address) {
        bytes32 s = r.vs & bytes32((uint256(1) << 255) - 1);
        uint8 v = uint8(uint256(r.vs >> 255)) + 27;
        return ecrecover(o.reportDigest(r.report), v, r.r, s);
    }

    function _sign(IndexOracle o, uint256 key, IIndexOracle.Report memory report)
        internal
        view
        returns (IIndexOracle.SignedReport memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, o.reportDigest(report));
        return IIndexOracle.SignedReport({report: report, r: r, vs: bytes32(uint256(s) | (uint256(v - 27) << 255))});
    }

    /// @dev Signs report `j` again with `keys[j]`, on oracle `o`'s domain at the current chain id.
    function _resign(IIndexOracle.SignedReport[] memory reports, uint256[] memory keys, IndexOracle o) internal view {
        for (uint256 j = 0; j < reports.length; ++j) reports[j] = _sign(o, keys[j], reports[j].report);
    }

    /// @dev `value` moved by less than +-0.05 %, differently per reporter.
    function _jitter(uint256 value, uint256 seed, uint256 j) internal pure returns (uint256) {
        uint256 bps = uint256(keccak256(abi.encode(seed, j))) % 11;
        uint256 v = (value * (99_995 + bps)) / 100_000;
        return v == 0 ? 1 : v;
    }

    /// @dev Reports signed by the reporters `reps[(first + j) % n]` for `values[j]`, each observed a few
    /// seconds ago and after the latest round.
    function _reports(
        uint256 market,
        address[] memory reps,
        uint256[] memory values,
        uint256 seed,
        uint256 first
    ) internal view returns (IIndexOracle.SignedReport[] memory reports) {
        reports = new IIndexOracle.SignedReport[](values.length);
        uint256 floor = indexOracle.indexState(_indexIds[market]).lastObservedAt + 1;
        for (uint256 j = 0; j < values.length; ++j) {
            uint256 at = block.timestamp - (uint256(keccak256(abi.encode(seed, j, "lag"))) % 30);
            if (at < floor) at = floor;
            IIndexOracle.Report memory r = IIndexOracle.Report({
                indexId: _indexIds[market],
                value: values[j],
                observedAt: uint64(at),
                inputsHash: keccak256(abi.encode(seed, j, "inputs"))
            });
            reports[j] = _sign(indexOracle, _keyOf(reps[(first + j) % reps.length]), r);
        }
    }

    /// @dev Honest reports near the current value from exactly a quorum of reporters.
    function _quorumReports(uint256 market, uint256 seed) internal view returns (IIndexOracle.SignedReport[] memory) {
        bytes32 id = _indexIds[market];
        address[] memory reps = indexOracle.reporters(id);
        uint256[] memory values = new uint256[](indexOracle.indexParams(id).quorum);
        for (uint256 j = 0; j < values.length; ++j) values[j] = _jitter(_index[market], seed, j);
        return _reports(market, reps, values, seed, seed % reps.length);
    }

    /// @dev Lets the minimum interval since the latest round pass, so a rejection is never `RoundTooSoon`.
    function _waitMinInterval(uint256 market) internal {
        bytes32 id = _indexIds[market];
        uint256 next = indexOracle.latestCheckpoint(id).timestamp + indexOracle.indexParams(id).minInterval;
        if (block.timestamp < next) vm.warp(next);
    }

    /// @dev Reporters sign a round near `target`: a quorum or more, and the supermajority when the median
    /// moves more than `maxDeviation`. Records it, or counts a rejection.
    function _honestRound(uint256 market, uint256 target, uint256 seed) internal {
        bytes32 id = _indexIds[market];
        if (indexOracle.checkpointCount(id) != 0) _waitMinInterval(market);
        IIndexOracle.IndexParams memory p = indexOracle.indexParams(id);
        address[] memory reps = indexOracle.reporters(id);
        uint256 n = reps.length;
        uint256 k = p.quorum + (seed % (n - p.quorum + 1));
        uint256[] memory values = _jittered(target, seed, k);
        if (indexOracle.checkpointCount(id) != 0) {
            uint256 last = indexOracle.latestCheckpoint(id).value;
            uint256 superMajority = CheckpointLib.supermajority(n);
            if (k < superMajority && CheckpointLib.exceedsDeviation(last, _lowerMedian(values), p.maxDeviation)) {
                k = superMajority;
                values = _jittered(target, seed, k);
            }
        }
        IIndexOracle.SignedReport[] memory reports = _reports(market, reps, values, seed, seed % n);
        reached["honest"] += 1;
        try indexOracle.submit(id, reports) returns (uint256 roundId) {
            ++honestRounds;
            _recordAccepted(market, reports, roundId);
        } catch {
            ++honestRoundsRejected;
        }
    }

    function _jittered(uint256 target, uint256 seed, uint256 k) internal pure returns (uint256[] memory values) {
        values = new uint256[](k);
        for (uint256 j = 0; j < k; ++j) values[j] = _jitter(target, seed, j);
    }

    /// @dev Appends an accepted round to the handler's history and checks the stored checkpoint against
    /// the reference median of what was signed.
    function _recordAccepted(uint256 market, IIndexOracle.SignedReport[] memory reports, uint256 roundId) internal {
        bytes32 id = _indexIds[market];
        uint256[] memory values = new uint256[](reports.length);
        uint256 newest;
        for (uint256 j = 0; j < reports.length; ++j) {
            values[j] = reports[j].report.value;
            if (reports[j].report.observedAt > newest) newest = reports[j].report.observedAt;
        }
        uint256 median = _lowerMedian(values);
        IIndexOracle.Checkpoint memory c = indexOracle.checkpoint(id, roundId);
        if (c.value != median || c.timestamp != block.timestamp || roundId != _roundTimes[market].length + 1) {
            ++storedValueNotTheSignedMedian;
        }
        _roundTimes[market].push(block.timestamp);
        _roundValues[market].push(median);
        _lastObservedAt[market] = newest;
        _index[market] = median;
        delete _lastRound[market];
        for (uint256 j = 0; j < reports.length; ++j) _lastRound[market].push(reports[j]);
    }

    /// @dev Submits adversarial reports, which must be rejected.
    function _expectRejected(uint256 market, IIndexOracle.SignedReport[] memory reports) internal {
        try indexOracle.submit(_indexIds[market], reports) returns (uint256 roundId) {
            ++attacksAccepted;
            // Keep the history in step, so the other invariants still compare like with like.
            _recordAccepted(market, reports, roundId);
        } catch {}
    }

    /// @dev The `⌊(k−1)/2⌋`-th smallest value, found by counting (independent of the oracle's sort).
    function _lowerMedian(uint256[] memory values) internal pure returns (uint256) {
        uint256 n = values.length;
        uint256 p = (n - 1) / 2;
        for (uint256 i = 0; i < n; ++i) {
            uint256 less;
            uint256 lessOrEqual;
            for (uint256 j = 0; j < n; ++j) {
                if (values[j] < values[i]) ++less;
                if (values[j] <= values[i]) ++lessOrEqual;
            }
            if (less <= p && p < lessOrEqual) return values[i];
        }
        revert("no median");
    }

    /// @dev The admin actor's risk parameters: the starting ones with a basis depth that weights fills.
    function _adminRisk() internal pure returns (RiskParams memory risk) {
        risk = _risk();
        risk.basisDepth = 5;
    }

    /// @dev An in-bounds admin call, which must succeed.
    function _admin(address target, bytes memory data) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call(data);
        if (!ok) ++adminRejected;
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
            expiry: block.timestamp + 1 hours,
            nonce: exchange.minNonce(m) + 3 + (_book.salt % 100),
            salt: _book.nextSalt(),
            flags: 0
        });
        _book.add(exchange, _keys[MALLORY], o);
    }
}
