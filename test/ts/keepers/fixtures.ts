/** Builders shared by the keepers' pure decision and configuration tests. */
import { buildProgram } from "../../../keepers/cli.js";
import { ConfigError } from "../../../keepers/shell/config.js";
import { Market, type MarketInput } from "../../../sdk/core/entities/Market.js";
import { indexIdOf } from "../../../sdk/core/eip712/reports.js";

const WAD = 10n ** 18n;

/** The dispute window of `testMarket`, seconds. */
export const DISPUTE_WINDOW = 3_600n;
/** The fallback delay of `testMarket`, seconds after expiry. */
export const FALLBACK_DELAY = 3n * 86_400n;

/**
 * An ATPI-FRONTIER market expiring at `expiry`: 1,000 index units a contract, a $0.001 tick,
 * 10 % initial and 5 % maintenance margin, a 2 % liquidation penalty, no fees, a one-hour dispute
 * window and a three-day fallback; `live` sets its state and settlement progress.
 */
export function testMarket(expiry: bigint, live: Pick<MarketInput, "state" | "settlement"> = {}): Market {
  return Market.from({
    params: {
      indexId: indexIdOf("ATPI-FRONTIER"),
      methodologyHash: `0x${"ab".repeat(32)}`,
      expiry,
      contractSize: 1_000n * WAD,
      tickSize: WAD / 1_000n,
      minSize: 1n,
      settlementWindow: 3_600,
    },
    risk: {
      imr: WAD / 10n,
      mmr: WAD / 20n,
      liquidationPenalty: WAD / 50n,
      maxPositionSize: 1_000_000n,
      maxOpenInterest: 10_000_000n,
      priceBand: WAD / 10n,
      makerFee: 0n,
      takerFee: 0n,
      basisWeight: WAD / 10n,
      maxBasisRate: WAD / 2n,
      maxBasisStep: WAD / 20n,
      basisDepth: 1n,
    },
    terms: { disputeWindow: Number(DISPUTE_WINDOW), fallbackDelay: Number(FALLBACK_DELAY) },
    ...live,
  });
}

/** The `ConfigError` that `load` throws; fails the test when it accepts the configuration. */
export function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (e) {
    return e as ConfigError;
  }
  throw new Error("accepted");
}

/** The `--help` text of one `keepers` command (`undefined` when there is no such command). */
export function commandHelp(name: string): string | undefined {
  return buildProgram()
    .commands.find((c) => c.name() === name)
    ?.helpInformation();
}
