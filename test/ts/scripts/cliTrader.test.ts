/**
 * `atf` as a trader uses it, through `run` against the in-process chain served over loopback HTTP:
 * bad input exits 2 with one line (an 80-digit amount, a bad-checksum address), the collateral
 * token's ERC-20 errors decoded in its units, `--json` on read commands, positions with leverage,
 * liquidation price and unrealised PnL, `history`, and `settle` / `claim` after expiry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import type { Hex } from "viem";

import { run } from "../../../cli/program.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import {
  INDEX_ID,
  WAD,
  defaultTerms,
  deployClearinghouse,
  type Fixture,
} from "../helpers/clearinghouseFixture.js";
import { SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { startRpcProxy } from "../keepers/rpcProxy.js";

const { ethers, provider, networkHelpers } = await network.create();
const { time } = networkHelpers;

interface Result {
  code: number;
  out: string;
  err: string;
}

describe("atf: a trader's commands (in-process chain)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);
  let f: Fixture;
  let rpc: { url: string; close: () => Promise<void> };
  let dir: string;
  let book: string;
  const ALICE = testAccount(2); // the fixture's alice (long 10)
  const BOB = testAccount(3); // the fixture's bob (short 10)
  const NOBODY = testAccount(9); // no collateral at all

  const atf = async (key: Hex | undefined, ...argv: string[]): Promise<Result> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(
      [
        "--deployment",
        book,
        "--rpc-url",
        rpc.url,
        "--orders-file",
        path.join(dir, "orders.json"),
        "--state-file",
        path.join(dir, "state.json"),
        ...argv,
      ],
      {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        env: key === undefined ? {} : { ATF_PRIVATE_KEY: key },
      },
    );
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  /** Alice long 10 against bob at $10, both with 50,000 USDC: restored before every test. */
  async function deployAll(): Promise<Fixture> {
    const fx = await deployClearinghouse(ethers, networkHelpers, 6);
    await fx.fund(fx.alice, "50000");
    await fx.fund(fx.bob, "50000");
    await fx.venue.trade(fx.marketId, fx.bob.address, fx.alice.address, 10n, 10n * WAD);
    return fx;
  }

  before(async function () {
    rpc = await startRpcProxy(provider);
    dir = mkdtempSync(path.join(tmpdir(), "atf-trader-"));
  });
  beforeEach(async function () {
    f = await networkHelpers.loadFixture(deployAll);
    expect(f.alice.address).to.equal(ALICE.address);
    book = path.join(dir, "book.json");
    writeFileSync(
      book,
      JSON.stringify({
        chainId: 31337,
        indexOracle: await f.oracle.getAddress(),
        exchange: await f.venue.getAddress(),
        clearinghouse: await f.ch.getAddress(),
        collateral: await f.token.getAddress(),
        accessManager: await f.ch.getAddress(),
      }),
    );
  });
  after(async function () {
    await rpc.close();
  });

  it("bad input exits 2 with one line: an 80-digit amount, a bad-checksum address", async function () {
    const huge = await atf(ALICE.privateKey, "deposit", "9".repeat(80));
    expect(huge.code).to.equal(2);
    expect(huge.err.split("\n")).to.have.length(1);
    expect(huge.err).to.match(/^error: amount: "9{80}" is too large for any contract amount$/);
    const checksummed = ALICE.address;
    const broken = checksummed.slice(0, -1) + (checksummed.endsWith("a") ? "b" : "a");
    const mixed = /[a-f]/.test(broken.slice(2)) ? broken.replace(/[a-f]/, (c) => c.toUpperCase()) : broken;
    const bad = await atf(undefined, "positions", "--account", mixed);
    expect(bad.code).to.equal(2);
    expect(bad.err.split("\n")).to.have.length(1);
    expect(bad.err).to.contain("has a bad checksum (EIP-55)");
    const lower = await atf(undefined, "positions", "--account", ALICE.address.toLowerCase(), "--json");
    expect(lower.code).to.equal(0);
  });

  it("the collateral token's errors are decoded, amounts in its units", async function () {
    const r = await atf(NOBODY.privateKey, "deposit", "1250.5");
    expect(r.code, r.err).to.equal(1);
    expect(r.err.split("\n")[0]).to.equal("error: the collateral token refused: ERC20InsufficientBalance");
    expect(r.err).to.contain("balance = 0 USDC, needed = 1250.5 USDC");
  });

  it("positions show leverage, liquidation price and unrealised PnL; --json on read commands", async function () {
    await f.oracle.setValue(INDEX_ID, 11n * WAD);
    const text = await atf(undefined, "positions", "--account", ALICE.address);
    expect(text.code, text.err).to.equal(0);
    expect(text.out).to.match(/size \+10 +entry \$10 +mark \$11(\.\d+)? +uPnL \$\d+/);
    expect(text.out).to.match(/leverage \d+(\.\d+)?x +liq\. price \$\d/);
    const j = await atf(undefined, "positions", "--account", ALICE.address, "--json");
    const doc = JSON.parse(j.out) as {
      positions: { size: string; unrealisedPnl: string; leverage: string; liquidationPrice: string }[];
      health: { liquidatable: boolean };
    };
    expect(doc.positions).to.have.length(1);
    expect(doc.positions[0].size).to.equal("10");
    expect(Number(doc.positions[0].unrealisedPnl)).to.be.greaterThan(0);
    expect(Number(doc.positions[0].leverage)).to.be.greaterThan(0);
    expect(Number(doc.positions[0].liquidationPrice)).to.be.greaterThan(0).and.lessThan(11);
    expect(doc.health.liquidatable).to.equal(false);
    const markets = JSON.parse((await atf(undefined, "markets", "--json")).out) as {
      id: string;
      status: string;
    }[];
    expect(markets.map((m) => m.id)).to.deep.equal([f.marketId]);
  });

  it("order place refuses what can never fill with exit 2, before signing", async function () {
    const orders = path.join(dir, "orders.json");
    const place = (key: Hex, ...extra: string[]) =>
      atf(key, "order", "place", "--market", f.marketId, "--side", "buy", ...extra);
    const band = await place(ALICE.privateKey, "--size", "1", "--price", "12");
    expect(band.code).to.equal(2);
    expect(band.err).to.equal(
      "error: order refused before signing: --price: $12 is outside the price band: mark $10 ± 10 % → $9 to $11",
    );
    const limit = await place(ALICE.privateKey, "--size", "1000000", "--price", "10");
    expect(limit.code).to.equal(2);
    expect(limit.err).to.contain(
      "would make the position +1000010 contracts, beyond the market's limit of 1000000",
    );
    const late = await place(
      ALICE.privateKey,
      "--size",
      "1",
      "--price",
      "10",
      "--expiry",
      String(f.params.expiry + 1n),
    );
    expect(late.code).to.equal(2);
    expect(late.err).to.match(
      /--expiry: the order would expire \d{4}-\d{2}-\d{2}T.* after the market's expiry \d{4}-/,
    );
    const margin = await place(NOBODY.privateKey, "--size", "5", "--price", "10");
    expect(margin.code).to.equal(2);
    expect(margin.err).to.match(
      /margin: after this order the equity .* below the initial margin \$5000; deposit at least [\d.]+ USDC more/,
    );
    for (const r of [band, limit, late, margin]) expect(r.err.split("\n")).to.have.length(1);
    // nothing was signed or written
    expect(() => readFileSync(orders, "utf8")).to.throw();
  });

  it("settle and claim after expiry, refused before; history lists fills, settlements and claims", async function () {
    const early = await atf(ALICE.privateKey, "settle", "--market", f.marketId);
    expect(early.code).to.equal(1);
    expect(early.err).to.match(/trades until \d{4}-\d{2}-\d{2}T.*nothing to settle before expiry/);
    await f.oracle.setTwap(INDEX_ID, 12n * WAD);
    await time.increaseTo(f.params.expiry);
    await f.ch.proposeSettlement(f.marketId);
    await time.increase(Number(defaultTerms().disputeWindow));
    await f.ch.finalizeSettlement(f.marketId);
    // alice (long, a winner) settles first: her gain is recorded as a claim until bob pays
    const aliceSettle = await atf(ALICE.privateKey, "settle", "--market", f.marketId);
    expect(aliceSettle.code, aliceSettle.err).to.equal(0);
    expect(aliceSettle.out, aliceSettle.out).to.match(
      /settled 10 .* at the final price \$12: PnL 20000 USDC/,
    );
    const bobSettle = await atf(BOB.privateKey, "settle", "--market", f.marketId);
    expect(bobSettle.code, bobSettle.err).to.equal(0);
    expect(bobSettle.out).to.match(/settled -10 .*PnL -20000 USDC/);
    const claim = await atf(ALICE.privateKey, "claim", "--market", f.marketId);
    expect(claim.code, claim.err).to.equal(0);
    expect(claim.out).to.match(/claim paid \d+(\.\d+)? USDC/);
    const again = await atf(ALICE.privateKey, "claim", "--market", f.marketId);
    expect(again.code).to.equal(1);
    expect(again.err).to.contain("has no unpaid claim");
    const history = await atf(undefined, "history", "--account", ALICE.address);
    expect(history.code, history.err).to.equal(0);
    const kinds = history.out.split("\n").map((l) => / {2}(fill|settled|claim paid|deposit)/.exec(l)?.[1]);
    expect(kinds).to.include.members(["deposit", "fill", "settled", "claim paid"]);
    expect(history.out).to.match(/^\d{4}-\d{2}-\d{2}T/);
    const hj = JSON.parse((await atf(undefined, "history", "--account", ALICE.address, "--json")).out) as {
      entries: { kind: string }[];
    };
    expect(hj.entries.map((e) => e.kind)).to.deep.equal(["deposit", "fill", "settled", "claim"]);
  });
});
