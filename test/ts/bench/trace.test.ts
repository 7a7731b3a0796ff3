/**
 * The gas breakdown of `npm run bench:trace` (`bench/trace/breakdown.ts`) on hand-made struct logs:
 * per-part sums per contract, calls net of their callee, a library reached by DELEGATECALL as its own
 * row, the ecrecover precompile, refunds, EIP-7623's floor, and the typed errors when the parts do not
 * add up or the trace holds something not modelled.
 */
import { expect } from "chai";

import {
  breakdown,
  intrinsicOf,
  toMarkdown,
  TraceMismatchError,
  UnsupportedTraceError,
  type StructLog,
  type TraceInput,
} from "../../../bench/trace/breakdown.js";

const A = "0x" + "aa".repeat(20);
const B = "0x" + "bb".repeat(20);
const L = "0x" + "cc".repeat(20);
const ECRECOVER = "0x1";

const step = (op: string, gas: number, gasCost: number, depth: number, stack: string[] = []): StructLog => ({
  op,
  gas,
  gasCost,
  depth,
  stack,
});

/**
 * A (top frame, 78,980 gas after 21,020 intrinsic) reads one slot cold and again warm, CALLs B (cold,
 * 70,000 forwarded), which writes a fresh slot, logs one topic and DELEGATECALLs library L (cold,
 * 40,000 forwarded; L reads warm), then A calls ecrecover and stops.
 */
function traceLogs(): StructLog[] {
  return [
    step("PUSH1", 78_980, 3, 1),
    step("SLOAD", 78_977, 2_100, 1),
    step("SLOAD", 76_877, 100, 1),
    // CALL: gas, address, value, argsOffset, argsSize, retOffset, retSize (top of stack last).
    step("CALL", 76_777, 72_600, 1, ["0x0", "0x0", "0x44", "0x80", "0x0", B, "0x11170"]),
    step("PUSH1", 70_000, 3, 2),
    step("SSTORE", 69_997, 22_100, 2),
    step("LOG1", 47_897, 750, 2),
    // DELEGATECALL: gas, address, argsOffset, argsSize, retOffset, retSize.
    step("DELEGATECALL", 47_147, 42_600, 2, ["0x0", "0x0", "0x4", "0x80", L, "0x9c40"]),
    step("SLOAD", 40_000, 100, 3),
    step("STOP", 39_900, 0, 3),
    step("RETURN", 44_447, 0, 2),
    // STATICCALL: gas, address, argsOffset, argsSize, retOffset, retSize.
    step("STATICCALL", 48_624, 45_000, 1, ["0x20", "0x0", "0x80", "0x80", ECRECOVER, "0xbb8"]),
    step("STOP", 45_524, 0, 1),
  ];
}

const input = (over: Partial<TraceInput> = {}): TraceInput => ({
  structLogs: traceLogs(),
  names: { [A.toUpperCase().replace("0X", "0x")]: "Top", [B]: "Callee", [L]: "Library" },
  to: A,
  data: "0x00ff",
  gasUsed: 54_476,
  gasLimit: 100_000,
  eip7623: true,
  ...over,
});

describe("bench:trace breakdown", function () {
  it("intrinsicOf_chargesFourPerZeroAndSixteenPerNonZeroByte_andTheFloorPerToken", function () {
    expect(intrinsicOf("0x00ff00", true)).to.deep.equal({
      base: 21_000,
      zeroBytes: 2,
      nonZeroBytes: 1,
      calldata: 24,
      total: 21_024,
      floor: 21_000 + 10 * (2 + 4),
    });
    expect(intrinsicOf("0x", false).floor).to.equal(null);
    expect(() => intrinsicOf("0x0", true)).to.throw(TraceMismatchError);
  });

  it("breakdown_splitsEachContractsGasIntoPartsAndAddsUpToGasUsed", function () {
    const b = breakdown(input());
    expect(b.intrinsic.total).to.equal(21_020);
    expect(b.contracts.map((r) => r.name)).to.deep.equal(["Top", "Callee", "Library"]);
    const [top, callee, library] = b.contracts;

    expect(top.parts.coldSload).to.deep.equal({ count: 1, gas: 2_100 });
    expect(top.parts.warmSload).to.deep.equal({ count: 1, gas: 100 });
    // The CALL's own cost is the cold access (2,600), net of the 25,553 used inside the callee; the
    // STATICCALL to ecrecover costs 100 (warm precompile) besides the precompile's 3,000.
    expect(top.parts.calls).to.deep.equal({ count: 2, gas: 2_700 });
    expect(top.parts.precompiles).to.deep.equal({ count: 1, gas: 3_000 });
    expect(top.parts.computation).to.deep.equal({ count: 2, gas: 3 });
    expect(top.total).to.equal(7_903);

    expect(callee.parts.sstore).to.deep.equal({ count: 1, gas: 22_100 });
    expect(callee.parts.log).to.deep.equal({ count: 1, gas: 750 });
    expect(callee.parts.calls).to.deep.equal({ count: 1, gas: 2_600 });
    expect(callee.total).to.equal(25_453);

    // The library's code is its own row, although it works on the callee's storage.
    expect(library.parts.warmSload).to.deep.equal({ count: 1, gas: 100 });
    expect(library.total).to.equal(100);

    expect(b.execution).to.equal(78_980 - 45_524);
    expect(b.intrinsic.total + b.execution - b.refund + b.floorTopUp).to.equal(b.gasUsed);
    expect(b.refund).to.equal(0);
    expect(b.floorTopUp).to.equal(0);
  });

  it("breakdown_subtractsTheRefund_givenOrDerivedFromTheReceipt", function () {
    expect(breakdown(input({ gasUsed: 54_476 - 4_800, refund: 4_800 })).refund).to.equal(4_800);
    expect(breakdown(input({ gasUsed: 54_476 - 4_800 })).refund).to.equal(4_800);
    // A refund is capped at a fifth of the gas used; beyond the cap the receipt cannot be explained.
    expect(() => breakdown(input({ gasUsed: 30_000 }))).to.throw(TraceMismatchError);
  });

  it("breakdown_addsTheEip7623FloorWhenCalldataOutweighsExecution", function () {
    const data = "0x" + "ff".repeat(100); // 1,600 calldata gas, floor 21,000 + 10 × 400
    const logs = [step("STOP", 1_000, 0, 1)];
    const floored = breakdown({ structLogs: logs, names: {}, to: A, data, gasUsed: 25_000, eip7623: true });
    expect(floored.floorTopUp).to.equal(25_000 - 22_600);
    expect(floored.contracts[0].name).to.equal(A);
    const plain = breakdown({ structLogs: logs, names: {}, to: A, data, gasUsed: 22_600, eip7623: false });
    expect(plain.floorTopUp).to.equal(0);
  });

  it("breakdown_throwsWhenThePartsDoNotAddUp", function () {
    expect(() => breakdown(input({ gasUsed: 54_477 }))).to.throw(TraceMismatchError, /do not add up/);
    expect(() => breakdown(input({ gasLimit: 100_001 }))).to.throw(TraceMismatchError, /starting gas/);
    const wrongCost = traceLogs();
    wrongCost[0] = step("PUSH1", 78_980, 2, 1);
    expect(() => breakdown(input({ structLogs: wrongCost }))).to.throw(TraceMismatchError, /counter drop/);
    const wrongCall = traceLogs();
    wrongCall[3] = { ...wrongCall[3], gasCost: 72_700 };
    expect(() => breakdown(input({ structLogs: wrongCall }))).to.throw(
      TraceMismatchError,
      /gasCost − callee/,
    );
    const oddSload = traceLogs();
    oddSload[1] = step("SLOAD", 78_977, 2_200, 1);
    expect(() => breakdown(input({ structLogs: oddSload }))).to.throw(TraceMismatchError, /neither cold/);
  });

  it("breakdown_refusesWhatItDoesNotModel", function () {
    const modexp = traceLogs();
    modexp[11] = step("STATICCALL", 48_624, 45_000, 1, ["0x20", "0x0", "0x80", "0x80", "0x5", "0xbb8"]);
    expect(() => breakdown(input({ structLogs: modexp }))).to.throw(UnsupportedTraceError, /precompile/);
    const create = traceLogs();
    create[0] = step("CREATE", 78_980, 3, 1);
    expect(() => breakdown(input({ structLogs: create }))).to.throw(UnsupportedTraceError, /CREATE/);
    expect(() => breakdown(input({ structLogs: [] }))).to.throw(UnsupportedTraceError, /empty/);
  });

  it("toMarkdown_printsARowPerContractAndTheReceiptTotal", function () {
    const md = toMarkdown("example", breakdown(input({ gasUsed: 54_476 - 4_800, refund: 4_800 })));
    const lines = md.split("\n");
    expect(lines[0]).to.equal("#### example");
    expect(md).to.match(
      /\| transaction base 21,000 \+ calldata \(1 zero, 1 non-zero bytes\) .*\|\s+21,020 \|/,
    );
    expect(md).to.match(/\| Callee .*\|\s+22,100 \(1\) \|\s+750 \(1\) \|\s+2,600 \(1\) \|.*\|\s+25,453 \|/);
    expect(md).to.match(/\| refund .*\|\s+−4,800 \|/);
    expect(md).to.match(/\*\*total = receipt gasUsed\*\* .*\|\s+\*\*49,676\*\* \|/);
  });
});
