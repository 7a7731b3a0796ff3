/**
 * Gas regression check: re-measures the trading hot path with the benchmark's own code (fixed keys,
 * fixed clock) and compares it with `bench/gas-snapshot.json`. A difference beyond 1 % or a figure
 * above a target the snapshot meets fails and prints the whole diff; `npm run bench:snapshot`
 * rewrites the snapshot after an intended change.
 */
import { expect } from "chai";

import { compareSnapshot, measureSnapshot, readSnapshot, type Snapshot } from "../../bench/snapshot.js";
import { underCoverage } from "./helpers/coverage.js";

describe("gas snapshot", function () {
  it("matchesTheCommittedSnapshotWithinOnePercentAndTargets", async function () {
    if (underCoverage()) this.skip(); // instrumented bytecode inflates gas; the plain run checks the snapshot
    const committed = await readSnapshot();
    const fresh = await measureSnapshot();
    const { lines, failures } = compareSnapshot(committed, fresh);
    if (failures.length > 0) console.log(["gas snapshot diff:", ...lines.map((l) => "  " + l)].join("\n"));
    expect(failures, failures.join("\n")).to.deep.equal([]);
  });

  it("compareSnapshot_flagsGrowthShrinkageAndTargetBreaches", function () {
    const base: Snapshot = {
      a: { gas: 100_000, target: 110_000 },
      b: { gas: 200_000, target: null },
      c: { gas: 150_000, target: 120_000 },
    };
    expect(compareSnapshot(base, base).failures).to.deep.equal([]);
    // Within 1 %: passes; beyond it, either way: fails.
    expect(compareSnapshot(base, { ...base, a: { gas: 100_999, target: 110_000 } }).failures).to.deep.equal(
      [],
    );
    expect(compareSnapshot(base, { ...base, a: { gas: 101_001, target: 110_000 } }).failures).to.have.length(
      1,
    );
    expect(compareSnapshot(base, { ...base, b: { gas: 197_000, target: null } }).failures).to.have.length(1);
    // A key meeting its target may not cross it, even within the tolerance.
    const tight: Snapshot = { a: { gas: 109_500, target: 110_000 } };
    expect(compareSnapshot(tight, { a: { gas: 110_001, target: 110_000 } }).failures).to.have.length(1);
    // A key already over its target fails only by growing beyond the tolerance.
    expect(compareSnapshot(base, { ...base, c: { gas: 150_500, target: 120_000 } }).failures).to.deep.equal(
      [],
    );
    // Keys added or removed fail.
    expect(compareSnapshot(base, { a: base.a, b: base.b }).failures).to.have.length(1);
  });
});
