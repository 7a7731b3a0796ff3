/**
 * One module per market slot of `MARKETS` (`Market_<KEY>`): the market created on the Clearinghouse
 * by the deployer, as `MARKET_ADMIN`. The index id comes from the slot's index name; everything else
 * is a parameter:
 *
 * - `methodologyHash`: `methodologyHash(spec)` of the index's methodology (`index/`);
 * - `expiry` (unix seconds), `contractSize` and `tickSize` (18-decimal, `"…n"` strings), `minSize`
 *   (contracts), `settlementWindow` (seconds): the fixed `MarketParams`;
 * - `risk`: the `RiskParams` object; `terms`: `{ disputeWindow, fallbackDelay }` in seconds.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { MARKETS, indexIdOfSlot, type MarketSlot } from "../layout.js";
import AccessManagerModule from "./AccessManager.js";
import type { buildClearinghouseModule } from "./Clearinghouse.js";

/** One market module on the given Clearinghouse module. */
export function buildMarketModule(
  slot: MarketSlot,
  clearinghouseModule: ReturnType<typeof buildClearinghouseModule>,
) {
  return buildModule(slot.moduleId, (m) => {
    const { clearinghouse } = m.useModule(clearinghouseModule);
    const params = {
      indexId: indexIdOfSlot(slot),
      methodologyHash: m.getParameter<string>("methodologyHash"),
      expiry: m.getParameter<number>("expiry"),
      contractSize: m.getParameter<bigint>("contractSize"),
      tickSize: m.getParameter<bigint>("tickSize"),
      minSize: m.getParameter<number>("minSize"),
      settlementWindow: m.getParameter<number>("settlementWindow"),
    };
    m.call(
      clearinghouse,
      "createMarket",
      [
        params,
        m.getParameter<Record<string, bigint>>("risk"),
        m.getParameter<Record<string, number>>("terms"),
      ],
      { after: [AccessManagerModule, clearinghouseModule] },
    );
    return {};
  });
}

/** The market modules, in `MARKETS` order. */
export function buildMarketModules(clearinghouseModule: ReturnType<typeof buildClearinghouseModule>) {
  return MARKETS.map((slot) => buildMarketModule(slot, clearinghouseModule));
}
