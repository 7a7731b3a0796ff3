/**
 * What the app says about an index: its name, unit and methodology, from the index package's shipped
 * specifications (the same code the reporters compute rounds with).
 */
import type { Hex } from "viem";

import { ATPI_UNIT } from "../../../index/atpi.js";
import { COMPUTE_UNIT } from "../../../index/compute.js";
import { indexIdOf } from "../../../index/ids.js";
import { INDEX_SPECS, methodologyHash, type IndexSpec } from "../../../index/index.js";

export interface IndexInfo {
  name: string;
  /** "USD per 1M tokens" or "USD per GPU-hour". */
  unit: string;
  /** What one index unit is: "1M tokens", "GPU-hour". */
  quantity: string;
  spec: IndexSpec | undefined;
  /** The methodology hash of the shipped spec, to compare with the market's. */
  methodologyHash: Hex | undefined;
  /** A sentence on how the index is made. */
  summary: string;
}

/** A sentence on how an index of `spec` is made. */
function summaryOf(spec: IndexSpec): string {
  switch (spec.kind) {
    case "atpi":
      return (
        `ATPI v${spec.version}: list prices of the ${spec.tier} tier of AI models, each a 3:1 blend of input ` +
        `and output dollars per million tokens, ${spec.weighting.kind}-weighted, prices at most ` +
        `${spec.maxPriceAgeMonths} months old, at least ${spec.minConstituents} models.`
      );
    case "atpi-list":
      return (
        `ATPI v${spec.version}: the ${spec.tier} tier's published list of ${spec.constituents.length} models ` +
        `(${spec.dataset}), each a 3:1 blend of input and output dollars per million tokens as its own API ` +
        `prices it, at least ${spec.minConstituents} priced.`
      );
    case "compute":
      return (
        `GPU-COMPUTE v${spec.version}: the median of providers' on-demand dollars per ${spec.gpu} GPU-hour, ` +
        `quotes at most ${spec.maxQuoteAgeDays} days old, outliers beyond ±${spec.outlierBandBps / 100} % of ` +
        `the first median left out, at least ${spec.minProviders} providers.`
      );
  }
}

const BY_ID = new Map<string, IndexInfo>(
  Object.values(INDEX_SPECS).map((spec) => {
    const compute = spec.kind === "compute";
    const info: IndexInfo = {
      name: spec.index,
      unit: compute ? COMPUTE_UNIT : ATPI_UNIT,
      quantity: compute ? "GPU-hour" : "1M tokens",
      spec,
      methodologyHash: methodologyHash(spec),
      summary: summaryOf(spec),
    };
    return [indexIdOf(spec.index).toLowerCase(), info] as const;
  }),
);

/**
 * The index behind `indexId`; an unknown id gets a neutral description.
 * @example indexInfo(market.params.indexId).unit // "USD per 1M tokens"
 */
export function indexInfo(indexId: Hex): IndexInfo {
  return (
    BY_ID.get(indexId.toLowerCase()) ?? {
      name: `index ${indexId.slice(0, 10)}`,
      unit: "USD per index unit",
      quantity: "index unit",
      spec: undefined,
      methodologyHash: undefined,
      summary: "An index this app has no specification for.",
    }
  );
}
