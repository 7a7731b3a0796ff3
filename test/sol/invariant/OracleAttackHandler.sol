// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {CheckpointLib} from "../../../contracts/libraries/CheckpointLib.sol";
import {SystemHandlerBase} from "./SystemHandlerBase.sol";

/// @notice Adversarial oracle submissions (the `attackOracle` action): outliers from a minority, too few
/// signers, replays, stale or future reports, reports signed for another chain or another oracle
/// deployment, unknown or duplicate signers, tampered values, and large moves without the supermajority.
/// Every one must be rejected, and a minority outlier inside a valid round must not move the value.
abstract contract OracleAttackHandler is SystemHandlerBase {
    /// @dev The chain the protocol runs on, kept from construction: restoring it after a foreign-chain signature
    /// from a local copy of `block.chainid` fails under via-IR, which re-reads the opcode (taken as fixed within
    /// a call) instead of keeping the copy.
    uint256 private immutable HOME_CHAIN_ID = block.chainid;

    /// @notice Accepted rounds in which a minority outlier moved the value outside the honest values.
    uint256 public outlierMovedValue;
    /// @notice Adversarial oracle submissions that were accepted (must stay zero).
    uint256 public attacksAccepted;

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
        uint256 now_ = vm.getBlockTimestamp();
        uint256 at = future ? now_ + 1 + (seed % 1 hours) : now_ - maxAge - 1 - (seed % 1 hours);
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
            vm.chainId(HOME_CHAIN_ID + 1 + (seed % 1_000));
            _resign(reports, keys, indexOracle);
            vm.chainId(HOME_CHAIN_ID);
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

    // ------------------------------------------------------------------ signing helpers

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

    function _keysOf(IIndexOracle.SignedReport[] memory reports) internal view returns (uint256[] memory keys) {
        keys = new uint256[](reports.length);
        for (uint256 j = 0; j < reports.length; ++j) keys[j] = _keyOfSigner(reports[j]);
    }

    function _recover(IndexOracle o, IIndexOracle.SignedReport memory r) internal view returns (address) {
        bytes32 s = r.vs & bytes32((uint256(1) << 255) - 1);
        uint8 v = uint8(uint256(r.vs >> 255)) + 27;
        return ecrecover(o.reportDigest(r.report), v, r.r, s);
    }

    /// @dev Signs report `j` again with `keys[j]`, on oracle `o`'s domain at the current chain id.
    function _resign(IIndexOracle.SignedReport[] memory reports, uint256[] memory keys, IndexOracle o) internal view {
        for (uint256 j = 0; j < reports.length; ++j) reports[j] = _sign(o, keys[j], reports[j].report);
    }

    /// @dev Honest reports near the current value from exactly a quorum of reporters.
    function _quorumReports(uint256 market, uint256 seed) internal view returns (IIndexOracle.SignedReport[] memory) {
        bytes32 id = _indexIds[market];
        address[] memory reps = indexOracle.reporters(id);
        uint256[] memory values = new uint256[](indexOracle.indexParams(id).quorum);
        for (uint256 j = 0; j < values.length; ++j) values[j] = _jitter(_index[market], seed, j);
        return _reports(market, reps, values, seed, seed % reps.length);
    }

    /// @dev Submits adversarial reports, which must be rejected.
    function _expectRejected(uint256 market, IIndexOracle.SignedReport[] memory reports) internal {
        try indexOracle.submit(_indexIds[market], reports) returns (uint256 roundId) {
            ++attacksAccepted;
            // Keep the history in step, so the other invariants still compare like with like.
            _recordAccepted(market, reports, roundId);
        } catch {}
    }
}
