// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IClearinghouseVenue, VenueFill} from "../interfaces/IClearinghouseVenue.sol";

/// @title MockClearinghouseVenue
/// @notice Test double of the Clearinghouse's venue surface: books trades into signed positions (so
/// reduce-only rules and zero-sum checks can be tested), can emulate a market pause (only trades that
/// reduce both sides pass) or revert with any data (to test margin-error propagation), and can record
/// every call so tests assert exactly what the Exchange sent.
/// @dev For tests and gas benchmarks only. The configuration flags share one slot so the steady-state
/// trade path reads one configuration slot plus the two positions.
contract MockClearinghouseVenue is IClearinghouseVenue {
    /// @notice One recorded `trade` call.
    struct Trade {
        address caller;
        bytes32 marketId;
        address maker;
        address taker;
        int256 takerSizeDelta;
        uint256 price;
        bytes32 makerOrderHash;
        bytes32 takerOrderHash;
    }

    /// @notice Emitted for every booked trade, with the order hashes the venue sent.
    event Traded(
        bytes32 indexed marketId,
        address indexed maker,
        address indexed taker,
        int256 takerSizeDelta,
        uint256 price,
        bytes32 makerOrderHash,
        bytes32 takerOrderHash
    );

    /// @notice Thrown when a trade that does not reduce both sides hits a paused market.
    error MockMarketPaused(bytes32 marketId);

    /// @notice Thrown when a zero-size trade is booked (the real Clearinghouse rejects it too).
    error MockZeroSize();

    bool private _recording;
    bool private _failing;
    bool private _anyPaused;

    bytes private _revertData;
    mapping(bytes32 marketId => bool) private _paused;
    mapping(address account => mapping(bytes32 marketId => int256)) private _positions;
    Trade[] private _trades;

    /// @inheritdoc IClearinghouseVenue
    function trade(
        bytes32 marketId,
        address maker,
        address taker,
        int256 takerSizeDelta,
        uint256 price,
        bytes32 makerOrderHash
    ) external {
        _trade(Trade(msg.sender, marketId, maker, taker, takerSizeDelta, price, makerOrderHash, bytes32(0)));
    }

    /// @inheritdoc IClearinghouseVenue
    /// @dev Books each fill as a `trade` (one recorded trade and one `Traded` event per fill).
    function tradeBatch(bytes32 marketId, address taker, bytes32 takerOrderHash, VenueFill[] calldata fills) external {
        for (uint256 i = 0; i < fills.length; ++i) {
            VenueFill calldata f = fills[i];
            _trade(Trade(msg.sender, marketId, f.maker, taker, f.takerSizeDelta, f.price, f.makerOrderHash, takerOrderHash));
        }
    }

    function _trade(Trade memory t) private {
        (bytes32 marketId, address maker, address taker, int256 takerSizeDelta) =
            (t.marketId, t.maker, t.taker, t.takerSizeDelta);
        if (_failing) {
            bytes memory data = _revertData;
            assembly ("memory-safe") {
                revert(add(data, 0x20), mload(data))
            }
        }
        if (takerSizeDelta == 0) revert MockZeroSize();
        int256 makerBefore = _positions[maker][marketId];
        int256 takerBefore = _positions[taker][marketId];
        if (_anyPaused && _paused[marketId]) {
            if (!_reduces(makerBefore, -takerSizeDelta) || !_reduces(takerBefore, takerSizeDelta)) {
                revert MockMarketPaused(marketId);
            }
        }
        _positions[maker][marketId] = makerBefore - takerSizeDelta;
        _positions[taker][marketId] = takerBefore + takerSizeDelta;
        if (_recording) _trades.push(t);
        emit Traded(marketId, maker, taker, takerSizeDelta, t.price, t.makerOrderHash, t.takerOrderHash);
    }

    /// @inheritdoc IClearinghouseVenue
    function positionSize(address account, bytes32 marketId) external view returns (int256) {
        return _positions[account][marketId];
    }

    /// @notice Sets a position directly (test setup).
    function setPosition(address account, bytes32 marketId, int256 size) external {
        _positions[account][marketId] = size;
    }

    /// @notice Pauses or unpauses `marketId`.
    function setPaused(bytes32 marketId, bool paused) external {
        _paused[marketId] = paused;
        if (paused) _anyPaused = true;
    }

    /// @notice Makes every following `trade` revert with exactly `revertData` (empty data to stop).
    function setRevertData(bytes calldata revertData) external {
        _revertData = revertData;
        _failing = revertData.length != 0;
    }

    /// @notice Starts or stops recording each `trade` call in storage.
    function setRecording(bool recording) external {
        _recording = recording;
    }

    /// @notice Number of recorded trades.
    function tradeCount() external view returns (uint256) {
        return _trades.length;
    }

    /// @notice The recorded trade at `index`.
    function tradeAt(uint256 index) external view returns (Trade memory) {
        return _trades[index];
    }

    function _reduces(int256 position, int256 delta) private pure returns (bool) {
        if (delta > 0) return position < 0 && -position >= delta;
        return position > 0 && position >= -delta;
    }
}
