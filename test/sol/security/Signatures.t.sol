// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Exchange} from "../../../contracts/Exchange.sol";
import {IndexOracle} from "../../../contracts/IndexOracle.sol";
import {IExchange} from "../../../contracts/interfaces/IExchange.sol";
import {IIndexOracle} from "../../../contracts/interfaces/IIndexOracle.sol";
import {Order} from "../../../contracts/libraries/OrderTypes.sol";
import {MockClearinghouseVenue} from "../../../contracts/test/MockClearinghouseVenue.sol";
import {ExchangeFixture} from "../exchange/ExchangeFixture.sol";
import {OracleTestBase} from "../utils/OracleTestBase.sol";
import {TestBase} from "../utils/TestBase.sol";

/// @notice Order signatures under hostile encodings and replay across chains, deployments and revoked delegates.
contract OrderSignatureAttacksTest is TestBase {
    uint256 internal constant TRADER_KEY = 0x7EADE4;
    uint256 internal constant DELEGATE_KEY = 0xDE1E6;
    uint256 internal constant N = ExchangeFixture.SECP256K1_N;
    bytes32 internal constant MARKET = keccak256("market");
    address internal constant TAKER = address(0x7A4E4);

    Exchange internal exchange;
    MockClearinghouseVenue internal venue;
    address internal trader;
    Order internal order;

    function setUp() public {
        vm.warp(1_700_000_000);
        (exchange, venue) = ExchangeFixture.deploy(address(this));
        trader = vm.addr(TRADER_KEY);
        order = ExchangeFixture.order(trader, MARKET, true, 10, 5e18, 1);
    }

    function _parts(uint256 key) internal view returns (uint8 v, bytes32 r, bytes32 s, bytes32 h) {
        h = exchange.hashOrder(order);
        (v, r, s) = vm.sign(key, h);
    }

    function _fill(bytes memory sig) internal {
        vm.prank(TAKER);
        exchange.fillOrder(order, sig, 1);
    }

    function test_fill_rejectsHighSTwinOfAValidSignature() public {
        (uint8 v, bytes32 r, bytes32 s, bytes32 h) = _parts(TRADER_KEY);
        bytes32 highS = bytes32(N - uint256(s));
        bytes memory twin = abi.encodePacked(r, highS, v == 27 ? uint8(28) : uint8(27));
        vm.expectRevert(abi.encodeWithSelector(IExchange.MalleableSignature.selector, h, highS));
        _fill(twin);
        _fill(abi.encodePacked(r, s, v)); // the canonical form still fills
        assertEq(exchange.filled(h), 1, "one fill");
    }

    function test_fill_rejectsRecoveryIdOutside27And28() public {
        (, bytes32 r, bytes32 s, bytes32 h) = _parts(TRADER_KEY);
        uint8[5] memory bad = [uint8(0), 1, 26, 29, 255];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidSignature.selector, h));
            _fill(abi.encodePacked(r, s, bad[i]));
        }
        assertEq(exchange.filled(h), 0, "nothing filled");
    }

    function test_fill_rejectsWrongLengthsIncludingCompact() public {
        (uint8 v, bytes32 r, bytes32 s, bytes32 h) = _parts(TRADER_KEY);
        bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255));
        bytes[4] memory sigs = [bytes(""), abi.encodePacked(r, vs), abi.encodePacked(r, s, v, uint8(0)), abi.encodePacked(r)];
        for (uint256 i; i < sigs.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidSignatureLength.selector, h, sigs[i].length));
            _fill(sigs[i]);
        }
    }

    function test_fill_rejectsZeroSignature() public {
        bytes32 h = exchange.hashOrder(order);
        vm.expectRevert(abi.encodeWithSelector(IExchange.InvalidSignature.selector, h));
        _fill(new bytes(65));
    }

    function test_fill_rejectsSignatureFromAnotherChainId() public {
        (uint8 v, bytes32 r, bytes32 s, ) = _parts(TRADER_KEY);
        vm.chainId(10);
        bytes32 h10 = exchange.hashOrder(order);
        // The digest under chain 10 differs, so the chain-31337 signature recovers some other address.
        address stranger = ecrecover(h10, v, r, s);
        assertTrue(stranger != trader, "recovers someone else");
        vm.expectRevert(abi.encodeWithSelector(IExchange.UnauthorisedSigner.selector, h10, trader, stranger));
        _fill(abi.encodePacked(r, s, v));
        assertEq(exchange.filled(h10), 0, "nothing filled on chain 10");
    }

    function test_fill_rejectsSignatureForAnotherDeployment() public {
        (uint8 v, bytes32 r, bytes32 s, ) = _parts(TRADER_KEY);
        bytes memory sig = abi.encodePacked(r, s, v);
        (Exchange other, ) = ExchangeFixture.deploy(address(this));
        bytes32 otherHash = other.hashOrder(order);
        assertTrue(otherHash != exchange.hashOrder(order), "hash bound to the deployment");
        address stranger = ecrecover(otherHash, v, r, s);
        vm.prank(TAKER);
        vm.expectRevert(abi.encodeWithSelector(IExchange.UnauthorisedSigner.selector, otherHash, trader, stranger));
        other.fillOrder(order, sig, 1);
    }

    function test_fill_rejectsDelegateAfterRevocation() public {
        address delegate = vm.addr(DELEGATE_KEY);
        vm.prank(trader);
        exchange.setDelegate(delegate, true);
        bytes memory sig = ExchangeFixture.sign(exchange, DELEGATE_KEY, order);
        _fill(sig);
        vm.prank(trader);
        exchange.setDelegate(delegate, false);
        bytes32 h = exchange.hashOrder(order);
        vm.expectRevert(abi.encodeWithSelector(IExchange.UnauthorisedSigner.selector, h, trader, delegate));
        _fill(sig);
        assertEq(exchange.filled(h), 1, "only the fill before revocation");
    }

    function test_delegate_cannotApproveOtherDelegatesForTheTrader() public {
        address delegate = vm.addr(DELEGATE_KEY);
        vm.prank(trader);
        exchange.setDelegate(delegate, true);
        // A delegate's own setDelegate approves for the delegate's account, never for the trader's.
        vm.prank(delegate);
        exchange.setDelegate(address(0xBAD), true);
        assertTrue(!exchange.isDelegate(trader, address(0xBAD)), "trader's delegates unchanged");
    }
}

/// @notice Oracle report signatures under hostile encodings and replay across chains, deployments and indices.
contract ReportSignatureAttacksTest is OracleTestBase {
    bytes32 internal constant ID = keccak256("ATPI-FRONTIER");
    bytes32 internal constant OTHER_ID = keccak256("ATPI-SMALL");
    uint256 internal constant KEY = 0xA11CE;
    uint256 internal constant HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    IndexOracle internal oracle;

    function setUp() public {
        vm.warp(START);
        oracle = _deployOracle();
        _create(oracle, ID);
        _create(oracle, OTHER_ID);
    }

    function _create(IndexOracle o, bytes32 id) internal {
        address[] memory reporters = new address[](1);
        reporters[0] = vm.addr(KEY);
        o.createIndex(
            id,
            IIndexOracle.IndexParams({quorum: 1, maxAge: 1 hours, minInterval: 1, maxDeviation: 10e18, faultBound: 0}),
            reporters
        );
    }

    function _report(bytes32 id, uint256 value) internal view returns (IIndexOracle.Report memory) {
        return IIndexOracle.Report({
            indexId: id, value: value, observedAt: uint64(vm.getBlockTimestamp()), inputsHash: keccak256("inputs")
        });
    }

    function _one(IIndexOracle.SignedReport memory r) internal pure returns (IIndexOracle.SignedReport[] memory a) {
        a = new IIndexOracle.SignedReport[](1);
        a[0] = r;
    }

    /// @dev Who `signed` recovers to under `o`'s current domain (what the oracle will see).
    function _recovered(IndexOracle o, IIndexOracle.SignedReport memory signed) internal view returns (address) {
        bytes32 s = bytes32(uint256(signed.vs) & ((1 << 255) - 1));
        uint8 v = uint8((uint256(signed.vs) >> 255) + 27);
        return ecrecover(o.reportDigest(signed.report), v, signed.r, s);
    }

    function _expectUnknownSigner(IndexOracle o, bytes32 id, IIndexOracle.SignedReport memory signed) internal {
        address stranger = _recovered(o, signed);
        assertTrue(stranger != vm.addr(KEY), "recovers someone else");
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.UnknownSigner.selector, id, stranger));
    }

    function test_submit_rejectsHighSInCompactForm() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        // The smallest s above half the group order: still below 2^255, so it fits the compact form.
        bytes32 highS = bytes32(HALF_N + 1);
        signed.vs = highS;
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidSignatureS.selector, uint256(0), highS));
        oracle.submit(ID, _one(signed));
    }

    function test_submit_malleableTwinDoesNotRecoverTheReporter() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        uint256 s = uint256(signed.vs) & ((1 << 255) - 1);
        // n − s is above 2^255: in the compact form its top bit is read as the recovery bit, so the twin
        // decodes to a different (s, v) and recovers some other address.
        signed.vs = bytes32(ExchangeFixture.SECP256K1_N - s);
        _expectUnknownSigner(oracle, ID, signed);
        oracle.submit(ID, _one(signed));
    }

    function test_submit_rejectsZeroSignature() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        signed.r = bytes32(0);
        signed.vs = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.InvalidSignature.selector, uint256(0)));
        oracle.submit(ID, _one(signed));
    }

    function test_submit_rejectsReportSignedOnAnotherChainId() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        vm.chainId(10);
        _expectUnknownSigner(oracle, ID, signed);
        oracle.submit(ID, _one(signed));
    }

    function test_submit_rejectsReportSignedForAnotherDeployment() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        IndexOracle other = _deployOracle();
        _create(other, ID);
        _expectUnknownSigner(other, ID, signed);
        other.submit(ID, _one(signed));
        oracle.submit(ID, _one(signed)); // valid where it was signed
    }

    function test_submit_rejectsReportForOneIndexOnAnother() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.IndexMismatch.selector, OTHER_ID, ID));
        oracle.submit(OTHER_ID, _one(signed));
        // Rewriting the report's index id breaks the signature.
        signed.report.indexId = OTHER_ID;
        _expectUnknownSigner(oracle, OTHER_ID, signed);
        oracle.submit(OTHER_ID, _one(signed));
    }

    function test_submit_rejectsReplayOfAnAcceptedRound() public {
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        oracle.submit(ID, _one(signed));
        vm.warp(vm.getBlockTimestamp() + 10);
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.ReplayedReport.selector, uint256(START)));
        oracle.submit(ID, _one(signed));
    }

    function test_submit_rejectsRemovedReporter() public {
        oracle.addReporter(ID, vm.addr(KEY + 1));
        oracle.removeReporter(ID, vm.addr(KEY));
        IIndexOracle.SignedReport memory signed = _sign(oracle, KEY, _report(ID, 10e18));
        vm.expectRevert(abi.encodeWithSelector(IIndexOracle.UnknownSigner.selector, ID, vm.addr(KEY)));
        oracle.submit(ID, _one(signed));
    }
}
