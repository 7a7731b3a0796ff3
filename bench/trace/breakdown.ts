/**
 * Per-part gas breakdown of one transaction from its opcode trace (`debug_traceTransaction` with the
 * default struct logger). Pure: struct logs, an address → name map, the transaction's calldata and
 * the receipt's `gasUsed` in, rows out; `bench/trace.ts` fetches the inputs from the chain.
 *
 * Attribution rules:
 * - every opcode's own cost (`gasCost`) goes to the contract whose code runs it (a library reached by
 *   `DELEGATECALL` is its own row, although it works on its caller's storage);
 * - a call's own cost (`CALL`, `STATICCALL`, `DELEGATECALL`, `CALLCODE`: cold or warm account access,
 *   value transfer net of the stipend, memory expansion) is the gas the caller's frame lost across the
 *   call minus the gas used inside the callee, and goes to the caller's `calls` part; the callee's own
 *   opcodes go to the callee;
 * - a precompile runs no opcodes: its fixed price (`ecrecover` 3,000, `sha256`, `ripemd160` and
 *   `identity` by input words) goes to the caller's `precompiles` part and the rest of what the frame
 *   lost to `calls`;
 * - the transaction's intrinsic cost is 21,000 plus calldata (4 per zero byte, 16 per non-zero byte);
 *   under EIP-7623 (Prague and later) `gasUsed` is at least 21,000 + 10 per calldata token.
 *
 * Every frame is checked: each opcode's `gasCost` must equal the drop in the frame's gas counter to
 * its next opcode, a call's own cost must also equal its `gasCost` less the callee's starting gas (the
 * struct logger counts the gas it hands on in `gasCost`), and the parts of a frame must add up to the
 * gas the frame used. The parts, the
 * intrinsic cost, the refund and the floor must add up to the receipt's `gasUsed` to the unit; any
 * difference throws {@link TraceMismatchError}.
 */

/** One step of the default struct logger (`debug_traceTransaction`), the fields this module reads. */
export interface StructLog {
  pc?: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  /** Stack, bottom first (the top of the stack is the last element), as hex words. */
  stack?: string[];
  error?: string;
}

/** Parts a contract's gas is split into. */
export const PARTS = [
  "coldSload",
  "warmSload",
  "sstore",
  "log",
  "calls",
  "precompiles",
  "keccak",
  "accountAndTransient",
  "computation",
] as const;
export type Part = (typeof PARTS)[number];

/** Column headings of the markdown table, per part. */
export const PART_LABELS: Record<Part, string> = {
  coldSload: "cold SLOAD",
  warmSload: "warm SLOAD",
  sstore: "SSTORE",
  log: "LOG",
  calls: "calls made",
  precompiles: "precompiles",
  keccak: "KECCAK256",
  accountAndTransient: "EXTCODE*, BALANCE, TLOAD, TSTORE",
  computation: "computation",
};

export interface PartCost {
  count: number;
  gas: number;
}

export interface ContractRow {
  /** The name from the address map, or the address itself when it is not in the map. */
  name: string;
  /** Lower-case code address. */
  address: string;
  parts: Record<Part, PartCost>;
  total: number;
}

export interface Intrinsic {
  base: number;
  zeroBytes: number;
  nonZeroBytes: number;
  /** 4 per zero byte, 16 per non-zero byte. */
  calldata: number;
  /** base + calldata. */
  total: number;
  /** EIP-7623's minimum `gasUsed` (21,000 + 10 per token), or null when the EVM does not apply it. */
  floor: number | null;
}

export interface Breakdown {
  intrinsic: Intrinsic;
  /** One row per contract whose code ran, in the order each first ran. */
  contracts: ContractRow[];
  /** Sum of the contract rows (= the gas the transaction's execution used, from the trace's counters). */
  execution: number;
  /** Gas refunded (EIP-3529, at most a fifth of the gas used before the refund). */
  refund: number;
  /** What EIP-7623's floor added on top of intrinsic + execution − refund (0 when it did not bind). */
  floorTopUp: number;
  /** The receipt's `gasUsed`; equals intrinsic.total + execution − refund + floorTopUp. */
  gasUsed: number;
}

export interface TraceInput {
  structLogs: readonly StructLog[];
  /** Contract names by address (any case). */
  names: Readonly<Record<string, string>>;
  /** The transaction's `to` (a contract call; creations are not supported). */
  to: string;
  /** The transaction's calldata, hex. */
  data: string;
  /** The receipt's `gasUsed`. */
  gasUsed: bigint | number;
  /** The transaction's gas limit: when given, the trace's starting gas must be gasLimit − intrinsic. */
  gasLimit?: bigint | number;
  /** Whether the EVM applies EIP-7623's calldata floor (Prague and later). */
  eip7623: boolean;
  /**
   * The refund the receipt reflects, when the caller knows it. When omitted it is taken as the
   * difference between intrinsic + execution and `gasUsed`, which must then lie within EIP-3529's cap
   * (a fifth of the gas used) and be explained by at least one `SSTORE`; anything else throws.
   */
  refund?: number;
}

/** The trace, the calldata and the receipt do not add up, or a step's cost disagrees with its counter. */
export class TraceMismatchError extends Error {
  override name = "TraceMismatchError";
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The trace holds something this breakdown does not model (a creation, an unknown precompile, a halt). */
export class UnsupportedTraceError extends Error {
  override name = "UnsupportedTraceError";
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);
const CREATES = new Set(["CREATE", "CREATE2"]);
const ACCOUNT_AND_TRANSIENT = new Set([
  "BALANCE",
  "EXTCODESIZE",
  "EXTCODECOPY",
  "EXTCODEHASH",
  "TLOAD",
  "TSTORE",
]);
const COLD_SLOAD = 2_100;
const WARM_SLOAD = 100;
const TX_BASE = 21_000;
const FLOOR_PER_TOKEN = 10;
/** Highest precompile address considered (0x11, BLS12-381 map in Prague; 0x100 is P256VERIFY). */
const PRECOMPILE_MAX = 0x11;
const P256VERIFY = 0x100;

/** Calldata cost and EIP-7623 floor of `data`. */
export function intrinsicOf(data: string, eip7623: boolean): Intrinsic {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new TraceMismatchError("calldata is not an even-length hex string", { data });
  let zeroBytes = 0;
  for (let i = 0; i < hex.length; i += 2) if (hex[i] === "0" && hex[i + 1] === "0") zeroBytes++;
  const nonZeroBytes = hex.length / 2 - zeroBytes;
  const calldata = 4 * zeroBytes + 16 * nonZeroBytes;
  const tokens = zeroBytes + 4 * nonZeroBytes;
  return {
    base: TX_BASE,
    zeroBytes,
    nonZeroBytes,
    calldata,
    total: TX_BASE + calldata,
    floor: eip7623 ? TX_BASE + FLOOR_PER_TOKEN * tokens : null,
  };
}

function word(stack: readonly string[] | undefined, fromTop: number, at: number): bigint {
  const item = stack?.[stack.length - 1 - fromTop];
  if (item === undefined)
    throw new UnsupportedTraceError("struct log has no stack (enable it)", { step: at });
  return BigInt(item.startsWith("0x") ? item : "0x" + item);
}

function addressOf(value: bigint): string {
  return "0x" + (value & ((1n << 160n) - 1n)).toString(16).padStart(40, "0");
}

/** The fixed price of a precompile call, from its input size; throws for a precompile not modelled. */
function precompileCost(address: bigint, inputSize: bigint, at: number): number {
  const words = Number((inputSize + 31n) / 32n);
  switch (Number(address)) {
    case 1:
      return 3_000;
    case 2:
      return 60 + 12 * words;
    case 3:
      return 600 + 120 * words;
    case 4:
      return 15 + 3 * words;
    default:
      throw new UnsupportedTraceError(`call to precompile ${addressOf(address)} is not modelled`, {
        step: at,
      });
  }
}

function isPrecompile(address: bigint): boolean {
  return (address >= 1n && address <= BigInt(PRECOMPILE_MAX)) || address === BigInt(P256VERIFY);
}

function emptyParts(): Record<Part, PartCost> {
  return Object.fromEntries(PARTS.map((p) => [p, { count: 0, gas: 0 }])) as Record<Part, PartCost>;
}

function partOf(log: StructLog, at: number): Part {
  const op = log.op;
  if (op === "SLOAD") {
    if (log.gasCost === COLD_SLOAD) return "coldSload";
    if (log.gasCost === WARM_SLOAD) return "warmSload";
    throw new TraceMismatchError(`SLOAD costing ${log.gasCost} is neither cold nor warm`, { step: at });
  }
  if (op === "SSTORE") return "sstore";
  if (op.startsWith("LOG")) return "log";
  if (op === "KECCAK256" || op === "SHA3") return "keccak";
  if (ACCOUNT_AND_TRANSIENT.has(op)) return "accountAndTransient";
  return "computation";
}

/** Breaks one transaction's gas into parts per contract and checks that they add up to `gasUsed`. */
export function breakdown(input: TraceInput): Breakdown {
  const logs = input.structLogs;
  if (logs.length === 0) throw new UnsupportedTraceError("empty trace (a transfer without code?)");
  const intrinsic = intrinsicOf(input.data, input.eip7623);
  if (input.gasLimit !== undefined && Number(input.gasLimit) - intrinsic.total !== logs[0].gas)
    throw new TraceMismatchError("the trace's starting gas is not gas limit − (21,000 + calldata)", {
      gasLimit: Number(input.gasLimit),
      intrinsic: intrinsic.total,
      startGas: logs[0].gas,
    });

  const names = new Map(Object.entries(input.names).map(([a, n]) => [a.toLowerCase(), n]));
  const rows = new Map<string, ContractRow>();
  const rowOf = (address: string): ContractRow => {
    let row = rows.get(address);
    if (row === undefined) {
      row = { name: names.get(address) ?? address, address, parts: emptyParts(), total: 0 };
      rows.set(address, row);
    }
    return row;
  };
  const charge = (row: ContractRow, part: Part, gas: number, count = 1) => {
    row.parts[part].count += count;
    row.parts[part].gas += gas;
    row.total += gas;
  };

  // Walks the frame that starts at `start` (code at `code`); returns the index of the first step after
  // it and the gas it used, having charged every part of it (and of the frames it called).
  const walk = (start: number, code: string): { end: number; used: number } => {
    const depth = logs[start].depth;
    const row = rowOf(code);
    let charged = 0;
    let i = start;
    while (i < logs.length && logs[i].depth === depth) {
      const log = logs[i];
      const next = logs[i + 1] as StructLog | undefined;
      if (CREATES.has(log.op)) throw new UnsupportedTraceError(`${log.op} is not modelled`, { step: i });
      if (log.error !== undefined)
        throw new UnsupportedTraceError(`exceptional halt (${log.error}) is not modelled`, { step: i });
      if (CALLS.has(log.op)) {
        const target = word(log.stack, 1, i);
        const targetAddress = addressOf(target);
        let calleeUsed = 0;
        let after: StructLog | undefined;
        let resume: number;
        if (next !== undefined && next.depth === depth + 1) {
          const callee = walk(i + 1, targetAddress);
          calleeUsed = callee.used;
          after = logs[callee.end];
          resume = callee.end;
        } else {
          after = next;
          resume = i + 1;
        }
        if (after === undefined || after.depth !== depth)
          throw new UnsupportedTraceError(`${log.op} at step ${i} does not return to its caller`, {
            step: i,
          });
        const lost = log.gas - after.gas;
        let own = lost - calleeUsed;
        // Second derivation: the struct logger's gasCost of a call is its own cost plus the gas handed
        // to the callee (the callee's starting gas, less the 2,300 stipend a value transfer adds and its
        // own cost pays), so own = gasCost − the callee's starting gas in every case.
        if (next !== undefined && next.depth === depth + 1 && log.gasCost - next.gas !== own)
          throw new TraceMismatchError(`${log.op} at step ${i}: own cost ${own} ≠ gasCost − callee gas`, {
            step: i,
            gasCost: log.gasCost,
            calleeGas: next.gas,
          });
        if (calleeUsed === 0 && isPrecompile(target)) {
          const inputSize = word(log.stack, log.op === "CALL" || log.op === "CALLCODE" ? 4 : 3, i);
          const price = precompileCost(target, inputSize, i);
          charge(row, "precompiles", price);
          own -= price;
        }
        if (own < 0)
          throw new TraceMismatchError(`${log.op} at step ${i} has a negative own cost`, {
            step: i,
            lost,
            calleeUsed,
          });
        charge(row, "calls", own);
        charged += lost;
        i = resume;
        continue;
      }
      const part = partOf(log, i);
      if (next !== undefined && next.depth === depth && log.gas - next.gas !== log.gasCost)
        throw new TraceMismatchError(`${log.op} at step ${i}: gasCost ${log.gasCost} ≠ counter drop`, {
          step: i,
          drop: log.gas - next.gas,
        });
      charge(row, part, log.gasCost);
      charged += log.gasCost;
      i++;
    }
    const last = logs[i - 1];
    const used = logs[start].gas - (last.gas - last.gasCost);
    if (used !== charged)
      throw new TraceMismatchError(`frame at step ${start}: parts ${charged} ≠ gas used ${used}`, {
        step: start,
      });
    return { end: i, used };
  };

  const top = walk(0, input.to.toLowerCase());
  if (top.end !== logs.length)
    throw new UnsupportedTraceError(`steps after the top frame ended (step ${top.end})`, { step: top.end });

  const contracts = [...rows.values()];
  const execution = contracts.reduce((s, r) => s + r.total, 0);
  const gasUsed = Number(input.gasUsed);
  const beforeRefund = intrinsic.total + execution;
  let refund: number;
  if (input.refund !== undefined) {
    refund = Math.min(input.refund, Math.floor(beforeRefund / 5));
  } else {
    // Without a floor top-up, the receipt's gasUsed is exactly intrinsic + execution − refund.
    refund = Math.max(0, beforeRefund - gasUsed);
    const stores = contracts.reduce((s, r) => s + r.parts.sstore.count, 0);
    if (refund > Math.floor(beforeRefund / 5) || (refund > 0 && stores === 0))
      throw new TraceMismatchError(
        "intrinsic + execution exceeds gasUsed by more than a refund can explain",
        {
          beforeRefund,
          gasUsed,
        },
      );
  }
  const afterRefund = beforeRefund - refund;
  const floorTopUp = intrinsic.floor !== null ? Math.max(0, intrinsic.floor - afterRefund) : 0;
  if (afterRefund + floorTopUp !== gasUsed)
    throw new TraceMismatchError(
      `parts do not add up: ${intrinsic.total} intrinsic + ${execution} execution − ${refund} refund + ` +
        `${floorTopUp} floor = ${afterRefund + floorTopUp}, receipt gasUsed ${gasUsed}`,
      { intrinsic: intrinsic.total, execution, refund, floorTopUp, gasUsed },
    );
  return { intrinsic, contracts, execution, refund, floorTopUp, gasUsed };
}

const fmt = (n: number) => n.toLocaleString("en-US");
const cell = (c: PartCost, counted: boolean) =>
  c.gas === 0 && c.count === 0 ? "" : counted ? `${fmt(c.gas)} (${c.count})` : fmt(c.gas);
/** Computation is thousands of opcodes: its cells show gas only. */
const COUNTED: ReadonlySet<Part> = new Set(PARTS.filter((p) => p !== "computation"));

/** The breakdown as a markdown table: one row per contract, a column per part, `gas (count)` cells. */
export function toMarkdown(title: string, b: Breakdown): string {
  const head = ["part", ...PARTS.map((p) => PART_LABELS[p]), "total"];
  const rows: string[][] = [];
  const blank = PARTS.map(() => "");
  rows.push([
    `transaction base ${fmt(b.intrinsic.base)} + calldata (${b.intrinsic.zeroBytes} zero, ` +
      `${b.intrinsic.nonZeroBytes} non-zero bytes)`,
    ...blank,
    fmt(b.intrinsic.total),
  ]);
  for (const r of b.contracts)
    rows.push([r.name, ...PARTS.map((p) => cell(r.parts[p], COUNTED.has(p))), fmt(r.total)]);
  if (b.refund !== 0) rows.push(["refund", ...blank, `−${fmt(b.refund)}`]);
  if (b.floorTopUp !== 0) rows.push(["EIP-7623 calldata floor top-up", ...blank, fmt(b.floorTopUp)]);
  const sums = PARTS.map((p) => {
    const s = { count: 0, gas: 0 };
    for (const r of b.contracts) {
      s.count += r.parts[p].count;
      s.gas += r.parts[p].gas;
    }
    return cell(s, COUNTED.has(p));
  });
  rows.push(["**total = receipt gasUsed**", ...sums, `**${fmt(b.gasUsed)}**`]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length), 3));
  const line = (r: string[]) =>
    "| " + r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join(" | ") + " |";
  const rule =
    "| " + widths.map((w, c) => (c === 0 ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ") + " |";
  return [`#### ${title}`, "", line(head), rule, ...rows.map(line)].join("\n");
}
