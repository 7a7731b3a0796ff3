/**
 * `npm run bench:sdk`: figures of the SDK's Clearinghouse part, written to `bench/sdk.json` and printed.
 *
 * - `health10kAccountsMs`: milliseconds for the pure core (`Account.health`) to value 10,000 accounts
 *   holding 4 positions each, marks computed beforehand; the best of 5 passes after a warm-up pass
 *   (wall-clock, so it varies by machine).
 * - `rpcRoundTripsLoadAccount8`: JSON-RPC requests `fetchAccount` sends to load an account holding 8
 *   positions (the Clearinghouse's cap on open markets per account) with their markets and index prices,
 *   counted by wrapping the transport.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { network } from "hardhat";
import { createPublicClient, custom, type Address, type EIP1193RequestFn, type Hex } from "viem";

import { Account, MAX_OPEN_MARKETS, Market, asMarketId, fetchAccount, markAll } from "../sdk/index.js";
import { INDEX_ID, WAD, defaultRisk, deployClearinghouse } from "../test/ts/helpers/clearinghouseFixture.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const ACCOUNTS = 10_000;
/** Positions per account in the health figure. */
const HEALTH_POSITIONS = 4;

/** A small deterministic generator (xorshift32), so every run values the same book. */
function rng(seed: number) {
  let x = seed >>> 0;
  return (n: number) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function healthBench(): number {
  const now = 1_800_000_000n;
  const markets = Array.from({ length: HEALTH_POSITIONS }, (_, i) =>
    Market.from({
      params: {
        indexId: `0x${(i + 1).toString(16).padStart(64, "0")}` as Hex,
        methodologyHash: `0x${"ab".repeat(32)}` as Hex,
        expiry: now + BigInt((i + 1) * 30 * 86_400),
        contractSize: 1_000n * WAD,
        tickSize: WAD / 1_000n,
        minSize: 1n,
        settlementWindow: 3_600,
      },
      risk: defaultRisk(),
      terms: { disputeWindow: 3_600, fallbackDelay: 3 * 86_400 },
      state: { basisRate: BigInt(i - 2) * (WAD / 20n) },
    }),
  );
  const marks = markAll(
    markets.map((m, i) => [m, BigInt(8 + i) * WAD] as const),
    now,
  );
  const next = rng(2026);
  const accounts = Array.from({ length: ACCOUNTS }, (_, a) =>
    Account.from({
      address: `0x${a.toString(16).padStart(40, "0")}` as Address,
      balance: BigInt(1_000 + next(1_000_000)) * 1_000_000n,
      scale: 10n ** 12n,
      positions: markets.map((m) => {
        const size = BigInt(next(200) - 100 || 1);
        return [m.id, { size, openNotional: size * BigInt(7_000 + next(6_000)) * WAD }] as const;
      }),
    }),
  );
  let best = Infinity;
  let sink = 0n;
  for (let pass = 0; pass < 6; pass++) {
    const start = performance.now();
    for (const account of accounts) sink += account.health(marks).equity;
    const ms = performance.now() - start;
    if (pass > 0) best = Math.min(best, ms);
  }
  if (sink === 0n) throw new Error("bench: no equity summed");
  return Math.round(best * 10) / 10;
}

async function roundTripBench(): Promise<number> {
  const { ethers, networkHelpers, provider } = await network.create();
  const f = await deployClearinghouse(ethers, networkHelpers, 6);
  const ids = [asMarketId(f.marketId)];
  for (let i = 1; i < MAX_OPEN_MARKETS; i++) ids.push(asMarketId(await f.createMarket(15 * i, INDEX_ID)));
  await f.fund(f.alice, "100000");
  await f.fund(f.bob, "100000");
  for (const id of ids) {
    const mark = await f.ch.markPrice(id);
    await f.venue.trade(id, f.bob.address, f.alice.address, 2n, (mark / (WAD / 1_000n)) * (WAD / 1_000n));
  }
  let requests = 0;
  const request: EIP1193RequestFn = async (args) => {
    requests += 1;
    return provider.request(args as never) as never;
  };
  const client = createPublicClient({ transport: custom({ request }) });
  const loaded = await fetchAccount(client, {
    address: (await f.ch.getAddress()) as Address,
    account: f.alice.address as Address,
  });
  if (loaded.account.positions.size !== MAX_OPEN_MARKETS || loaded.marks.size !== MAX_OPEN_MARKETS) {
    throw new Error(`bench: the account did not load with ${MAX_OPEN_MARKETS} positions and marks`);
  }
  return requests;
}

const figures = {
  health10kAccountsMs: healthBench(),
  rpcRoundTripsLoadAccount8: await roundTripBench(),
};
await writeFile(path.join(here, "sdk.json"), JSON.stringify(figures, null, 2) + "\n");
console.log(JSON.stringify(figures, null, 2));
