// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    IClearinghouse,
    MarketParams,
    RiskParams,
    SettlementTerms
} from "../../../contracts/interfaces/IClearinghouse.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {SystemHandlerBase} from "./SystemHandlerBase.sol";

/// @notice The admin actor (the `admin` action): the handler is the admin of every `AccessManager` and
/// changes risk parameters, fee shares, the treasury, the venue, markets, index parameters and reporters,
/// always inside bounds, so every such call must succeed.
abstract contract AdminHandler is SystemHandlerBase {
    /// @notice Admin actions with in-bounds parameters that reverted (must stay zero).
    uint256 public adminRejected;
    uint256 internal _extraMarkets;
    uint256 internal _extraIndices;

    /// @dev When `mmr` or the penalty of a market was last raised, and when the liquidator share was: a raise
    /// on a live market is bounded and spaced (`MarketAdminLogic`, `Clearinghouse.setFeeShares`), and this
    /// handler's admin calls stay in bounds.
    mapping(uint256 market => uint256) internal _riskRaisedAt;
    uint256 internal _shareRaisedAt;

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

    // ------------------------------------------------------------------ admin actor (bounded params)

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
            bool soon = _riskRaisedAt[market % MARKETS] != 0 && vm.getBlockTimestamp() < _riskRaisedAt[market % MARKETS] + 1 days;
            uint256 mmrCap = soon ? current.mmr : current.mmr + 0.01e18;
            uint256 penaltyCap = soon ? current.liquidationPenalty : current.liquidationPenalty + 0.005e18;
            if (risk.mmr > mmrCap) risk.mmr = uint64(mmrCap);
            if (risk.liquidationPenalty > penaltyCap) risk.liquidationPenalty = uint64(penaltyCap);
            if (risk.liquidationPenalty >= risk.mmr) risk.liquidationPenalty = risk.mmr / 2;
            if (risk.mmr >= risk.imr) risk.imr = risk.mmr * 2;
            if (risk.mmr > current.mmr || risk.liquidationPenalty > current.liquidationPenalty) {
                _riskRaisedAt[market % MARKETS] = vm.getBlockTimestamp();
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
            bool soon = _shareRaisedAt != 0 && vm.getBlockTimestamp() < _shareRaisedAt + 1 days;
            uint256 cap = soon ? current : current + 0.1e18;
            if (share > cap) share = cap;
            if (share > current) _shareRaisedAt = vm.getBlockTimestamp();
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
            uint64(vm.getBlockTimestamp() + 1 days + (seed % 300 days)),
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

    /// @dev An in-bounds admin call, which must succeed.
    function _admin(address target, bytes memory data) internal {
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = target.call(data);
        if (!ok) ++adminRejected;
    }
}
