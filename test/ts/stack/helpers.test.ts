/**
 * The pure helpers of the stack and the CLI: exact decimal conversions, quarterly expiries relative
 * to a date, re-dating a fixture CSV to today, nonce reservation.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { InputError } from "../../../cli/errors.js";
import { reserveNonce } from "../../../cli/state.js";
import { formatUnitsExact, formatUsd, parseAmount, parseInteger } from "../../../cli/units.js";
import { quarterlyExpiries, redateCsv } from "../../../scripts/lib/stack.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("stack and CLI helpers", function () {
  it("test_parseAmount_convertsExactlyAndRefusesExcessPrecision", function () {
    expect(parseAmount("100.5", 6, "amount")).to.equal(100_500_000n);
    expect(parseAmount("0.000001", 6, "amount")).to.equal(1n);
    expect(parseAmount("2.35", 18, "price")).to.equal(2_350_000_000_000_000_000n);
    expect(parseAmount("123456789012345678901234567890", 6, "amount")).to.equal(
      123456789012345678901234567890n * 10n ** 6n,
    );
    for (const bad of ["1.0000001", "-1", "1e3", ".5", "01", "1.", "", " ", "0x10"]) {
      expect(() => parseAmount(bad, 6, "amount"), bad).to.throw(InputError);
    }
    expect(() => parseInteger("1.5", "--size")).to.throw(InputError, "not a whole number");
    expect(() => parseInteger("0", "--size", 1n)).to.throw(InputError, "at least 1");
  });

  it("test_formatUnitsExact_roundTripsAndSignsDollars", function () {
    expect(formatUnitsExact(100_500_000n, 6)).to.equal("100.5");
    expect(formatUnitsExact(0n, 6)).to.equal("0");
    expect(formatUnitsExact(-1n, 18)).to.equal("-0.000000000000000001");
    expect(formatUsd(-9n * 10n ** 18n)).to.equal("-$9");
    for (const s of ["1", "0.1", "98765.4321"])
      expect(formatUnitsExact(parseAmount(s, 6, "x"), 6)).to.equal(s);
  });

  it("test_quarterlyExpiries_areLastFridaysAtLeastAWeekAwayAndWithinAYear", function () {
    const now = at("2026-11-21T12:00:00Z");
    const [near, next] = quarterlyExpiries(now, 2);
    expect(new Date(near * 1000).toISOString()).to.equal("2026-12-25T08:00:00.000Z");
    expect(new Date(next * 1000).toISOString()).to.equal("2027-03-26T08:00:00.000Z");
    // a quarter-end less than 7 days away is skipped
    const [skipped] = quarterlyExpiries(at("2026-12-20T00:00:00Z"), 1);
    expect(new Date(skipped * 1000).toISOString()).to.equal("2027-03-26T08:00:00.000Z");
    for (let day = 0; day < 366; day += 13) {
      const t = at("2026-01-01T00:00:00Z") + day * 86_400;
      for (const e of quarterlyExpiries(t, 2)) {
        expect(new Date(e * 1000).getUTCDay()).to.equal(5);
        expect(e - t).to.be.within(7 * 86_400, 366 * 86_400);
      }
    }
  });

  it("test_redateCsv_movesEveryDateBySameDaysSoLatestIsToday", function () {
    const csv = "observed_date,provider,price\n2025-10-01,a,1\n2025-10-15,b,2\n\n2025-11-05,a,3\n";
    const { text, shiftDays, latest } = redateCsv(csv, "2026-11-21");
    expect(latest).to.equal("2025-11-05");
    expect(shiftDays).to.equal(381);
    expect(text).to.equal("observed_date,provider,price\n2026-10-17,a,1\n2026-10-31,b,2\n\n2026-11-21,a,3\n");
  });

  it("test_reserveNonce_givesEachOrderItsOwnNonceAboveTheFloor", function () {
    const dir = mkdtempSync(path.join(tmpdir(), "atf-state-"));
    try {
      const file = path.join(dir, "state.json");
      const key = { chainId: 31337, exchange: testAccount(0).address, trader: testAccount(14).address };
      expect(reserveNonce(file, key, 0n)).to.equal(0n);
      expect(reserveNonce(file, key, 0n)).to.equal(1n);
      expect(reserveNonce(file, key, 10n)).to.equal(10n); // raised minNonce
      expect(reserveNonce(file, key, 3n)).to.equal(11n);
      expect(reserveNonce(file, { ...key, trader: testAccount(15).address }, 0n)).to.equal(0n);
      expect(JSON.parse(readFileSync(file, "utf8")).nonces).to.have.keys(
        `31337:${key.exchange.toLowerCase()}:${key.trader.toLowerCase()}`,
        `31337:${key.exchange.toLowerCase()}:${testAccount(15).address.toLowerCase()}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("test_testAccount_derivesHardhatsWellKnownAccounts", function () {
    expect(testAccount(0).address).to.equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    expect(testAccount(0).privateKey).to.equal(
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    );
    expect(testAccount(3).address).to.equal("0x90F79bf6EB2c4f870365E785982E1f101E93b906");
  });
});
