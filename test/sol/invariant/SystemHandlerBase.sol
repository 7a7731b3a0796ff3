// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {RiskParams, SettlementTerms} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracle, IIndexOracleReader} from "../../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../../contracts/libraries/CheckpointLib.sol";
import {ProtocolHandler} from "./ProtocolHandler.sol";

/// @notice What the whole-system handler's actors share: the real `IndexOracle` behind the Clearinghouse
/// (the `ClearinghouseHandler` oracle hooks), keyed reporters signing honest EIP-712 rounds near the
/// current value, the handler's record of every accepted round, the clock and settlement paths, the
/// deposit paths the Clearinghouse handler lacks (`depositFor`, permit), and the counters the invariants
/// read. The oracle attacks, the adversarial trader and the admin actor build on it
/// (`OracleAttackHandler`, `AdversaryHandler`, `AdminHandler`); `SystemHandler` combines them.
abstract contract SystemHandlerBase is ProtocolHandler {
    uint256 public constant REPORTER_KEYS = 6;
    uint256 public constant INITIAL_REPORTERS = 5;
    uint256 public constant MAX_AGE = 1 days;
    uint256 public constant MIN_INTERVAL = 60;
    uint256 public constant MAX_DEVIATION = 0.1e18;
    uint256 public constant QUORUM = 3;
    /// @dev A realistic clock, so `now - maxAge` is far from zero.
    uint256 internal constant START = 1_700_000_000;

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

    /// @notice Attempts per action path (keyed by a short label), to show the run reaches every path.
    mapping(bytes32 label => uint256) public reached;

    /// @notice Honest rounds accepted, and honest rounds the oracle rejected (must stay zero).
    uint256 public honestRounds;
    uint256 public honestRoundsRejected;
    /// @notice Accepted rounds whose stored value is not the median of what was signed, or not
    /// timestamped now (must stay zero).
    uint256 public storedValueNotTheSignedMedian;
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
        if (vm.getBlockTimestamp() < START) vm.warp(START);
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
            for (uint256 m = 0; m < MARKETS; ++m) _honestRound(m, _index[m], vm.getBlockTimestamp());
            return;
        }
        uint256 until = vm.getBlockTimestamp();
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
            vm.warp(vm.getBlockTimestamp() + terms.disputeWindow);
            ch.finalizeSettlement(id);
        } else if (mode == 1) {
            ch.proposeSettlement(id);
            ch.disputeSettlement(id);
            (uint256 lo, uint256 hi) = indexOracle.range(_indexIds[market], from, expiry);
            ch.resolveSettlement(id, lo + ((hi - lo) * (_settleSeed % 101)) / 100);
        } else {
            uint256 deadline = expiry + terms.fallbackDelay;
            if (vm.getBlockTimestamp() < deadline) vm.warp(deadline);
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
                try ch.settle(all[i], id) {
                    _countLogs();
                } catch {
                    _dropLogs();
                }
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
            if (ch.positionSize(account, open[k]) == 0 || vm.getBlockTimestamp() >= _expiries[m]) continue;
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
        vm.warp(vm.getBlockTimestamp() + (secondsAhead % 1 days) + 1);
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
        if (vm.getBlockTimestamp() >= expiry) return;
        uint256 window = ch.marketParams(_marketIds[market]).settlementWindow;
        uint256 inside = expiry - window + (seed % window);
        if (inside > vm.getBlockTimestamp()) vm.warp(inside);
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

    // ------------------------------------------------------------------ deposit paths

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
        uint256 deadline = vm.getBlockTimestamp() + 1 hours;
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

    // ------------------------------------------------------------------ reporter keys and honest rounds

    function _reporterKey(uint256 i) internal pure returns (uint256) {
        return 0xB0B + i;
    }

    function _keyOf(address reporter) internal pure returns (uint256) {
        for (uint256 i = 0; i < REPORTER_KEYS; ++i) {
            if (reporterOf(i) == reporter) return _reporterKey(i);
        }
        revert("not a reporter key");
    }

    function _sign(IndexOracle o, uint256 key, IIndexOracle.Report memory report)
        internal
        view
        returns (IIndexOracle.SignedReport memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, o.reportDigest(report));
        return IIndexOracle.SignedReport({report: report, r: r, vs: bytes32(uint256(s) | (uint256(v - 27) << 255))});
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
            uint256 at = vm.getBlockTimestamp() - (uint256(keccak256(abi.encode(seed, j, "lag"))) % 30);
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

    /// @dev Lets the minimum interval since the latest round pass, so a rejection is never `RoundTooSoon`.
    function _waitMinInterval(uint256 market) internal {
        bytes32 id = _indexIds[market];
        uint256 next = indexOracle.latestCheckpoint(id).timestamp + indexOracle.indexParams(id).minInterval;
        if (vm.getBlockTimestamp() < next) vm.warp(next);
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
        if (c.value != median || c.timestamp != vm.getBlockTimestamp() || roundId != _roundTimes[market].length + 1) {
            ++storedValueNotTheSignedMedian;
        }
        _roundTimes[market].push(vm.getBlockTimestamp());
        _roundValues[market].push(median);
        _lastObservedAt[market] = newest;
        _index[market] = median;
        delete _lastRound[market];
        for (uint256 j = 0; j < reports.length; ++j) _lastRound[market].push(reports[j]);
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
}
