// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A market's stored state, packed so each operation reads few cold slots.
/// @dev Slot 0 is the oracle key (read only to call the oracle, at creation and settlement), slot 1 is
/// everything a valuation needs (with the index number that keys the live index copy), slot 2 what every
/// trade reads and writes (with the basis depth in its top 56 bits, so the EMA update reads no extra slot),
/// slots 3 and 4 the settings a trade checks, slot 5 the mark's basis for the current second and the
/// time-averaged basis (read by every trade and valuation, written by the first trade of each second in one
/// store) with the two size checks, slot 6 the terms only a liquidation or a settlement step reads, slot 7 and 8
/// what `settle` needs, slot 11 the realised profit and loss the settlement pays against. A trade reads slots 1
/// to 5 and nothing it does not use; the narrower types of slot 3 and 5 (fees, tick, minimum size) fit the hard
/// bounds `MarketAdminLogic` checks. Sizes and open interest are whole contracts; rates are wad.
// solhint-disable-next-line gas-struct-packing
struct Market {
    // slot 0
    bytes32 indexId;
    // slot 1: valuation
    uint40 expiry;
    uint80 contractSize;
    uint64 imr;
    uint64 mmr;
    // the index's number in the oracle, which keys the Clearinghouse's copy of it (`Layout.indexes`), so a
    // mark reads no slot 0
    uint8 indexNumber;
    // slot 2: mark state and counters, and the basis depth the EMA update reads with them (256 bits)
    int64 basisRate;
    uint64 openInterest;
    uint32 index;
    uint32 openPositions;
    bool paused;
    uint56 basisDepth;
    // slot 3: trade checks (read by every trade)
    uint80 tickSize;
    uint56 makerFee;
    uint56 takerFee;
    uint64 priceBand;
    // slot 4: the basis parameters and the position limit (read by every trade; the limit by a liquidation too)
    uint64 basisWeight;
    uint64 maxBasisRate;
    uint64 maxBasisStep;
    uint64 maxPositionSize;
    // slot 5: the two size limits a trade checks, and the mark's basis state, which the first trade of each
    // second rewrites (read by every trade and valuation, written at most once a second)
    uint64 maxOpenInterest;
    uint32 minSize;
    // the basis the mark uses during second `markBasisTime`: the running basis as it stood before that
    // second's first trade, so no trade moves the mark within the second it trades in
    int64 markBasis;
    uint32 markBasisTime;
    // the time-averaged mark basis as of second `markBasisTime` (written by that second's first trade, in
    // the same slot as the two above): liquidation also needs an account below maintenance at the mark with
    // this basis, so a basis walk liquidates only once held for `MarginLogic.LIQUIDATION_BASIS_WINDOW`
    int64 averageBasis;
    // slot 6: terms no trade reads (a liquidation reads the penalty, the settlement steps the windows); 64 bits
    // each, so the penalty is the slot's top field and a liquidation reads it with a shift alone
    uint64 settlementWindow;
    uint64 disputeWindow;
    uint64 fallbackDelay;
    uint64 liquidationPenalty;
    // slot 7: final price and its value per contract (wad dollars)
    uint128 finalPrice;
    uint128 finalUnitValue;
    // slot 8: settlement cash (collateral units), stored plus one once the final price is set
    uint128 collected;
    uint128 claimed;
    // slot 9: settlement progress
    uint128 proposedPrice;
    // when `mmr` or the penalty was last raised while the market had open interest (admin path only)
    uint40 riskRaisedAt;
    uint40 proposedAt;
    bool disputed;
    // slot 10
    bytes32 methodologyHash;
    // slot 11: the net profit and loss realised into balances before settlement (collateral units exactly
    // as credited, minus exactly as debited; written only when a trade, a liquidation or a deleveraging
    // realises some), stored plus one from the market's creation so a realisation rewrites a live slot
    int256 realisedNet;
}

/// @notice An account: realised balance (collateral units) and up to eight open market indexes
/// (8 x uint16, 0 = empty lane; market indexes stop at 65,535) in one slot.
struct Account {
    int128 balance;
    uint128 markets;
}

/// @notice A position: signed size (contracts) and signed cost basis (wad dollars, same sign as size).
/// @dev In a settled market, a closed winning position keeps its unpaid claim (collateral units) in
/// `openNotional` with `size == 0`; no other state has `size == 0` and `openNotional != 0`.
struct Position {
    int128 size;
    int128 openNotional;
}

/// @notice The Clearinghouse's copy of an index's latest oracle value (one slot), keyed by the index's number
/// in the oracle, pushed by the oracle when a round is accepted or the index's `maxAge` changes
/// (`onIndexValue`), or copied by anyone (`syncIndex`).
/// The oracle stores values in 96 bits and times in 32 bits, and bounds `maxAge` to 7 days.
/// @dev `updatedAt == 0`: nothing pushed or synced yet.
struct IndexCache {
    uint96 value;
    uint32 updatedAt;
    uint32 maxAge;
}

/// @notice Everything the Clearinghouse stores, as one struct so the external logic libraries can
/// take it as a storage pointer.
struct Layout {
    mapping(bytes32 marketId => Market) markets;
    mapping(uint32 index => bytes32 marketId) marketIds;
    mapping(address account => Account) accounts;
    mapping(address account => mapping(bytes32 marketId => Position)) positions;
    mapping(address venue => bool) venues;
    // One slot: the fund, the treasury's fees and the market count, which is non-zero once a market exists, so
    // a write to the fund or the treasury never pays for a fresh slot.
    uint128 insuranceFund;
    uint112 treasuryAccrued;
    uint16 marketCount;
    // One slot, read by every trade: the venue check (the primary venue, with `venues` as the fallback), the
    // global pause, and the trade fees not yet split between the fund and the treasury (written by every trade
    // with fees; `MarginLogic.sweepFees` splits them before anything reads the fund or the treasury).
    address primaryVenue;
    bool globalPaused;
    uint88 pendingFees;
    // One slot: rarely read.
    uint64 liquidatorShare;
    address treasury;
    // when the liquidator share was last raised (admin path only), and the fund's share of trade fees (read by
    // a sweep)
    uint40 liquidatorShareRaisedAt;
    uint64 insuranceFeeShare;
    // The live index every mark reads, keyed by the index's number in the oracle (`Market.indexNumber`;
    // appended: the fields above keep their slots).
    mapping(uint256 indexNumber => IndexCache) indexes;
    // The number of each index a market trades on or that was synced (written by `createMarket` and
    // `syncIndex`), for `indexValue`.
    mapping(bytes32 indexId => uint256 indexNumber) indexNumbers;
}

// ---------------------------------------------------------------- named storage slots

/// @dev The storage slot of the Clearinghouse's `Layout` (its `_s`; `AccessManaged` holds slot 0). The slots below are counted
/// from it (`LAYOUT_*`) or from a market's base slot (`MARKET_*`), for the tests and any reader of raw storage;
/// `test/sol/ClearinghouseStorageSlots.t.sol` checks each against a live Clearinghouse.
uint256 constant LAYOUT_SLOT = 1;

/// @dev `Layout.markets`: a market's base slot is `keccak256(abi.encode(marketId, LAYOUT_SLOT + LAYOUT_MARKETS))`.
uint256 constant LAYOUT_MARKETS = 0;
/// @dev `Layout.marketIds`, keyed by the uint32 market index.
uint256 constant LAYOUT_MARKET_IDS = 1;
/// @dev `Layout.accounts`: balance in the low 128 bits, open-market lanes in the high 128.
uint256 constant LAYOUT_ACCOUNTS = 2;
/// @dev `Layout.positions`, keyed by account, then market id: size low, open notional high.
uint256 constant LAYOUT_POSITIONS = 3;
/// @dev `Layout.venues`.
uint256 constant LAYOUT_VENUES = 4;
/// @dev `insuranceFund` (bits 0-127), `treasuryAccrued` (128-239), `marketCount` (240-255).
uint256 constant LAYOUT_FUNDS = 5;
/// @dev What every trade reads: `primaryVenue` (bits 0-159), `globalPaused` (160-167), `pendingFees` (168-255).
uint256 constant LAYOUT_TRADE_SETTINGS = 6;
/// @dev `globalPaused`'s first bit in `LAYOUT_TRADE_SETTINGS`.
uint256 constant SETTINGS_PAUSED_AT = 160;
/// @dev `pendingFees`'s first bit in `LAYOUT_TRADE_SETTINGS` (it runs to bit 255).
uint256 constant SETTINGS_PENDING_FEES_AT = 168;
/// @dev `liquidatorShare` (bits 0-63), `treasury` (64-223).
uint256 constant LAYOUT_ADMIN_SETTINGS = 7;
/// @dev `liquidatorShareRaisedAt` (bits 0-39), `insuranceFeeShare` (40-103).
uint256 constant LAYOUT_SHARE_RAISED_AT = 8;
/// @dev `Layout.indexes`, keyed by the index's number in the oracle: value (bits 0-95), updatedAt (96-127),
/// maxAge (128-159).
uint256 constant LAYOUT_INDEXES = 9;
/// @dev `Layout.indexNumbers`, keyed by index id: the index's number, for the indexes markets trade on or that
/// were synced.
uint256 constant LAYOUT_INDEX_NUMBERS = 10;

/// @dev `Market.indexId`.
uint256 constant MARKET_INDEX_ID = 0;
/// @dev Valuation: expiry (bits 0-39), contract size (40-119), imr (120-183), mmr (184-247), index number
/// (248-255).
uint256 constant MARKET_VALUATION = 1;
/// @dev The first bits of `MARKET_VALUATION`'s fields after the expiry (which starts at bit 0).
uint256 constant VALUATION_CONTRACT_SIZE_AT = 40;
uint256 constant VALUATION_IMR_AT = 120;
uint256 constant VALUATION_MMR_AT = 184;
uint256 constant VALUATION_INDEX_NUMBER_AT = 248;
/// @dev The slot every trade reads and writes: basis rate (0-63), open interest (64-127), index (128-159), open
/// positions (160-191), paused (192-199), basis depth (200-255).
uint256 constant MARKET_TRADE = 2;
/// @dev The first bits of the `MARKET_TRADE` fields read from the word (the basis rate starts at bit 0).
uint256 constant TRADE_OPEN_INTEREST_AT = 64;
uint256 constant TRADE_MARKET_INDEX_AT = 128;
uint256 constant TRADE_PAUSED_AT = 192;
/// @dev What a trade checks: tick size (bits 0-79), maker fee (80-135), taker fee (136-191), price band (192-255).
uint256 constant MARKET_TRADE_CHECKS = 3;
/// @dev The first bits of `MARKET_TRADE_CHECKS`'s fields after the tick size (which starts at bit 0).
uint256 constant CHECKS_MAKER_FEE_AT = 80;
uint256 constant CHECKS_TAKER_FEE_AT = 136;
uint256 constant CHECKS_PRICE_BAND_AT = 192;
/// @dev Basis weight, largest basis rate, largest basis step, largest position (64 bits each).
uint256 constant MARKET_BASIS_PARAMS = 4;
/// @dev The first bits of `MARKET_BASIS_PARAMS`'s fields after the basis weight (which starts at bit 0).
uint256 constant BASIS_MAX_RATE_AT = 64;
uint256 constant BASIS_MAX_STEP_AT = 128;
uint256 constant BASIS_MAX_POSITION_AT = 192;
/// @dev Largest open interest (bits 0-63), minimum size (64-95), mark basis (96-159), its second (160-191), the
/// time-averaged basis (192-255).
uint256 constant MARKET_MARK_BASIS = 5;
/// @dev The first bits of the `MARKET_MARK_BASIS` fields a trade reads from the word.
uint256 constant MARK_MIN_SIZE_AT = 64;
uint256 constant MARK_BASIS_AT = 96;
uint256 constant MARK_BASIS_TIME_AT = 160;
/// @dev Settlement window, dispute window, fallback delay, liquidation penalty (64 bits each).
uint256 constant MARKET_TERMS = 6;
/// @dev Final price (bits 0-127) and its value per contract (128-255).
uint256 constant MARKET_FINAL = 7;
/// @dev Settlement cash collected (bits 0-127) and claimed (128-255), each stored plus one once final.
uint256 constant MARKET_SETTLEMENT_CASH = 8;
/// @dev Proposed price (bits 0-127), risk raised at (128-167), proposed at (168-207), disputed (208-215).
uint256 constant MARKET_SETTLEMENT = 9;
/// @dev `Market.methodologyHash`.
uint256 constant MARKET_METHODOLOGY = 10;
/// @dev `Market.realisedNet`, stored plus one.
uint256 constant MARKET_REALISED = 11;

