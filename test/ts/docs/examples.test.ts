/**
 * Every code block of README.md and docs/*.md is checked (issue 16), by kind (scripts/doc-examples.ts):
 * TypeScript and JavaScript type-checked and run (alone, or on the local stack `npm start` runs), shell
 * commands parsed by the programs they call (and a block marked `context=stack` executed), Solidity
 * structs compared with the contracts, the rest listed as not code. Blocks marked illustrative are
 * counted and printed; nothing is skipped silently. Also checked across the docs: the per-account market
 * cap is the contract's, no example calls `http()` without a URL, imports a test helper or reads an
 * Ignition path `npm start` does not write.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { SignTypedDataVersion, signTypedData } from "@metamask/eth-sig-util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";
import hre from "hardhat";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  keccak256,
  toHex,
  type Address,
  type Chain,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  allBlocks,
  atfParses,
  checkShellCommand,
  codeFacts,
  contractStrings,
  contractStructs,
  docFiles,
  generateModule,
  keeperMetricNames,
  keepersParse,
  maxOpenMarkets,
  openMarketClaims,
  OUT_DIR,
  ROOT,
  runs,
  shellCommands,
  solidityStructs,
  STACK_OUTPUTS,
  treatment,
  typeCheck,
  typeStrings,
  where,
  type ArgvChecker,
  type DocBlock,
  type GeneratedModule,
} from "../../../scripts/doc-examples.js";
import { run as atf } from "../../../cli/program.js";
import { startStack, type RunningStack } from "../../../scripts/lib/stack.js";
import { testAccount } from "../../../scripts/lib/testAccounts.js";
import { indexIdOf } from "../../../index/ids.js";
import { buildOrder } from "../../../sdk/core/eip712/orders.js";
import { loadAddressBook, type AddressBook } from "../../../sdk/core/addressBook.js";
import type { MarketId } from "../../../sdk/core/ids.js";
import { Exchange__factory } from "../../../sdk/ethers.js";
import {
  deposit,
  fetchMarket,
  fillOrder,
  readLatest,
  signOrder,
  type WriteClient,
} from "../../../sdk/viem/index.js";
import { BOUNDED_WAIT_MS, SLOW_SUITE_TIMEOUT_MS } from "../helpers/coverage.js";
import { provide, type StackGiven } from "./contexts.js";

const blocks = allBlocks();
const checked = blocks.filter((b) => b.marker?.illustrative === undefined);
const code = checked.filter((b) => b.kind === "ts" || b.kind === "js");

/** `npx hardhat …`: the task (and subtask) exists, its options and the global ones, a known network. */
const hardhatParses: ArgvChecker = async (args) => {
  const globals = hre.globalOptions as unknown as Record<string, unknown>;
  const networks = Object.keys(hre.config.networks);
  const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  const ids: string[] = [];
  let task: ReturnType<typeof hre.tasks.getTask> | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const name = camel(a.slice(2));
      const option = task?.options.get(name);
      if (option !== undefined) {
        if (option.type !== "BOOLEAN" && option.type !== "FLAG") i++;
      } else if (name in globals) {
        if (name === "network" && !networks.includes(args[i + 1] ?? "")) {
          return `hardhat.config.ts has no network "${args[i + 1]}" (known: ${networks.join(", ")})`;
        }
        if (typeof globals[name] !== "boolean") i++;
      } else {
        return `hardhat ${ids.join(" ")} has no option ${a}`;
      }
      continue;
    }
    const next = positionals.length === 0 ? (task?.subtasks ?? hre.tasks.rootTasks).get(a) : undefined;
    if (next !== undefined) {
      task = next;
      ids.push(a);
    } else positionals.push(a);
  }
  if (task === undefined) return `no hardhat task "${args[0]}"`;
  if (task.isEmpty) return `hardhat ${ids.join(" ")} is a task group, not a task`;
  const variadic = task.positionalArguments.at(-1)?.isVariadic === true;
  if (!variadic && positionals.length > task.positionalArguments.length) {
    return `hardhat ${ids.join(" ")} takes ${task.positionalArguments.length} arguments, got ${positionals.length}`;
  }
  return undefined;
};

const CHECKERS = { atf: atfParses, keepers: keepersParse, hardhat: hardhatParses };

describe("doc examples (README.md, docs/*.md)", function () {
  this.timeout(SLOW_SUITE_TIMEOUT_MS);

  it("every code block has a checker (inventory)", function () {
    const counts = new Map<string, number>();
    for (const b of blocks) {
      const key = b.marker?.illustrative === undefined ? b.kind : `${b.kind}, illustrative`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const lines = blocks.map(
      (b) => `    ${where(b).padEnd(30)} ${(b.lang || "-").padEnd(10)} ${treatment(b)}`,
    );
    console.log(
      `  ${blocks.length} code blocks in ${docFiles().length} files: ` +
        [...counts]
          .sort()
          .map(([k, n]) => `${n} ${k}`)
          .join(", ") +
        `; ${blocks.filter(runs).length} run\n${lines.join("\n")}`,
    );
    const illustrative = blocks.filter((b) => b.marker?.illustrative !== undefined);
    console.log(
      `  illustrative (not checked): ${illustrative.length}` +
        illustrative.map((b) => `\n    ${where(b)}: ${b.marker!.illustrative}`).join(""),
    );
    expect(
      blocks.filter((b) => b.kind === "unknown").map(where),
      "blocks no checker understands",
    ).to.deep.equal([]);
    // a marker that has no effect on a kind is a mistake
    const misplaced = blocks.filter(
      (b) =>
        (b.kind === "solidity" || b.kind === "not-code") &&
        (b.marker?.context !== undefined || b.marker?.noRun !== undefined),
    );
    expect(misplaced.map(where), "context= / no-run: on a block that never runs").to.deep.equal([]);
  });

  it("facts: the per-account market cap is the contract's MAX_OPEN_MARKETS", function () {
    const cap = maxOpenMarkets();
    expect(cap).to.equal(8);
    const wrong = docFiles().flatMap((f) =>
      openMarketClaims(readFileSync(path.join(ROOT, f), "utf8"), cap).map(
        (c) => `${f}:${c.line}: "${c.text}"`,
      ),
    );
    expect(wrong, `the contract allows ${cap} open markets per account`).to.deep.equal([]);
    // the detector finds the statement the issue names
    expect(openMarketClaims("an account has at most 4 open markets", cap)).to.have.length(1);
    expect(openMarketClaims("at most 8 open markets; eight open markets", cap)).to.have.length(0);
  });

  it("facts: no http() without a URL, no test-helper imports, no file npm start does not write", function () {
    const problems = code.flatMap((b) => [
      ...codeFacts(b),
      ...generateModule(b).problems.map((p) => `${where(b)}: ${p}`),
    ]);
    expect(problems).to.deep.equal([]);
    // the detectors find what the issue names
    const bad: DocBlock = {
      file: "x.md",
      line: 1,
      lang: "ts",
      kind: "ts",
      code:
        'import { oracleDomain } from "../test/ts/helpers/oracle.js";\n' +
        'import deployed from "./ignition/deployments/chain-31337/deployed_addresses.json" with { type: "json" };\n' +
        "const publicClient = createPublicClient({ transport: http() });\n",
    };
    expect(codeFacts(bad).join("\n")).to.contain("http() without a URL").and.contain("not by `npm start`");
    expect(generateModule(bad).problems.join("\n")).to.contain("is a test helper");
  });

  describe("TypeScript and JavaScript blocks type-check", function () {
    let byBlock: Map<string, string[]>;
    before(function () {
      rmSync(OUT_DIR, { recursive: true, force: true });
      mkdirSync(OUT_DIR, { recursive: true });
      const modules = code.map((b) => generateModule(b));
      for (const m of modules) writeFileSync(m.file, m.source);
      byBlock = new Map(code.map((b) => [where(b), []]));
      for (const p of typeCheck(modules)) byBlock.get(where(p.block))!.push(`${p.at}: ${p.message}`);
    });
    for (const b of code) {
      it(`${where(b)} (${b.lang})`, function () {
        expect(byBlock.get(where(b))).to.deep.equal([]);
      });
    }
  });

  describe("shell blocks: every command checked without running it", function () {
    for (const b of checked.filter((x) => x.kind === "sh")) {
      it(`${where(b)}`, async function () {
        const commands = shellCommands(b);
        expect(commands, "an empty shell block").to.not.be.empty;
        const problems: string[] = [];
        for (const c of commands) {
          for (const p of await checkShellCommand(c, CHECKERS))
            problems.push(`${b.file}:${c.line}: ${c.text}: ${p}`);
        }
        expect(problems).to.deep.equal([]);
      });
    }

    it("the checkers refuse what does not exist", async function () {
      const check = async (text: string) => {
        const b: DocBlock = { file: "x.md", line: 1, lang: "sh", kind: "sh", code: text + "\n" };
        return (await Promise.all(shellCommands(b).map((c) => checkShellCommand(c, CHECKERS)))).flat();
      };
      expect(
        await check("npm run atf -- order place --market X --side buy --size 1 --price 2"),
      ).to.deep.equal([]);
      expect(
        (
          await check("npm run atf -- order place --market X --side buy --size 1 --price 2 --colour red")
        ).join(),
      ).to.contain("--colour");
      expect((await check("npm run atf -- frobnicate")).join()).to.contain("frobnicate");
      expect(await check("npm run keepers -- relayer --index-name X --heartbeat-seconds 60")).to.deep.equal(
        [],
      );
      expect((await check("npm run keepers -- relayer --heartbeat 60")).join()).to.contain("--heartbeat");
      expect((await check("npm run nonexistent")).join()).to.contain('no script "nonexistent"');
      expect((await check("npx hardhat ignition deploy x.ts --network nowhere")).join()).to.contain(
        "nowhere",
      );
      expect((await check("npx hardhat ignition deploy x.ts --parameterz y.json")).join()).to.contain(
        "--parameterz",
      );
      expect((await check("npx tsx scripts/export-addresses.ts --deployment-idd 1")).join()).to.contain(
        "--deployment-idd",
      );
      expect((await check("npm start -- --prot 1")).join()).to.contain("--prot");
      expect((await check("NO_SUCH_VARIABLE_XYZ=1 npm run demo")).join()).to.contain("NO_SUCH_VARIABLE_XYZ");
      expect((await check("npm install ./ai-token-futures-9.9.9.tgz")).join()).to.contain("npm pack writes");
      expect((await check("curl https://example.com")).join()).to.contain('no checker for "curl"');
    });
  });

  describe("Solidity blocks match the contracts", function () {
    const structs = contractStructs();
    for (const b of checked.filter((x) => x.kind === "solidity")) {
      it(`${where(b)}`, function () {
        const doc = solidityStructs(b.code);
        expect(doc.size, "a Solidity block without a struct has no checker").to.be.greaterThan(0);
        for (const [name, members] of doc) {
          const found = structs.get(name) ?? [];
          expect(found, `struct ${name} in contracts/`).to.not.be.empty;
          expect(
            found.some((s) => JSON.stringify(s.members) === JSON.stringify(members)),
            `struct ${name}: the doc lists ${members.join("; ")}; contracts/ has ${found
              .map((s) => `${s.file}: ${s.members.join("; ")}`)
              .join(" | ")}`,
          ).to.equal(true);
        }
      });
    }
  });

  describe("blocks that are not code: listed, and what they state checked", function () {
    const strings = contractStrings();
    const metrics = keeperMetricNames();
    for (const b of checked.filter((x) => x.kind === "not-code")) {
      it(`${where(b)} (${b.lang || "no info string"})`, function () {
        for (const t of typeStrings(b.code)) {
          expect(strings.has(t), `EIP-712 type string ${t} is not in contracts/`).to.equal(true);
        }
        if (b.lang === "json") expect(() => JSON.parse(b.code), "json block parses").to.not.throw();
        if (b.lang === "yaml" || b.lang === "yml") {
          for (const m of new Set(b.code.match(/\bkeeper_[a-z0-9_]+/g) ?? [])) {
            expect(metrics.has(m), `metric ${m} is not defined in keepers/`).to.equal(true);
          }
        }
      });
    }
  });

  describe("runs", function () {
    const runDir = path.join(OUT_DIR, "run");
    let docStack: Promise<DocStack> | undefined;
    const stackOf = () => (docStack ??= startDocStack());

    before(function () {
      rmSync(runDir, { recursive: true, force: true });
      mkdirSync(runDir, { recursive: true });
    });
    after(async function () {
      provide("stack", undefined);
      const s = await docStack?.catch(() => undefined); // a failed start failed its test already
      await s?.stop();
    });

    for (const b of checked.filter(runs)) {
      const on = b.marker?.context === undefined ? "alone" : `on the ${b.marker.context}`;
      it(`${where(b)} (${b.lang}) runs ${on}`, async function () {
        const s = b.marker?.context === "stack" ? await stackOf() : undefined;
        if (b.kind === "sh") return runShell(b, s!);
        const m = generateModule(s === undefined ? b : s.rewrite(b), { outDir: runDir });
        writeFileSync(m.file, m.source);
        if (b.kind === "js") return runCommonJs(m);
        await import(pathToFileURL(m.file).href);
      });
    }
  });
});

function runCommonJs(m: GeneratedModule): void {
  const r = spawnSync(process.execPath, ["--import", "tsx", m.file], { cwd: ROOT, encoding: "utf8" });
  expect(r.status, `${where(m.block)} under node: ${r.stderr}`).to.equal(0);
}

/** An `sh` block on the stack: `export` and `atf` commands, the CLI's files pointed at the stack's. */
async function runShell(b: DocBlock, s: DocStack): Promise<void> {
  const env: Record<string, string> = {};
  for (const c of shellCommands(b)) {
    const [tool, ...args] = c.argv;
    if (tool === "export") {
      for (const a of args) {
        const [k, ...v] = a.split("=");
        env[k] = v.join("=");
      }
      continue;
    }
    let argv: string[];
    if (tool === "npm" && args[0] === "run" && args[1] === "atf" && args[2] === "--") argv = args.slice(3);
    else if (tool === "node" && (args[0] === "cli/bin.js" || args[0] === "scripts/atf.js"))
      argv = args.slice(1);
    else throw new Error(`${b.file}:${c.line}: cannot run "${c.text}" (only atf commands and export)`);
    const out: string[] = [];
    const err: string[] = [];
    const code = await atf([...s.atfFlags, ...argv.map((a) => s.symbol(a, `${b.file}:${c.line}`))], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { ...c.env, ...env },
    });
    console.log(`    $ ${c.text}   → exit ${code}${out.length > 0 ? `\n      ${out.join("\n      ")}` : ""}`);
    expect(code, `${b.file}:${c.line}: ${c.text}\n${err.join("\n")}`).to.equal(0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The stack context

interface DocStack {
  /** The block with npm start's URL and files replaced by the test stack's (printed). */
  rewrite(b: DocBlock): DocBlock;
  /** A market symbol of the docs → the stack's (expiries follow today's date; printed when different). */
  symbol(word: string, at: string): string;
  /** `atf` global options pointing at the stack (the defaults are npm start's files). */
  atfFlags: string[];
  stop(): Promise<void>;
}

const DEPOSIT = 100_000n * 10n ** 6n; // 100,000 mUSDC each
/** The stack's indexes (ignition/parameters/local.json): the keepers post a round of each at start. */
const STACK_INDEXES = ["GPU-H100", "ATPI-FRONTIER", "ATPI-SMALL"];
/** The oracle's `minInterval` in ignition/parameters/local.json, plus one second. */
const ROUND_GAP = 61n;
const DAY = 86_400n;
/**
 * The keepers observe once a day (`periodSeconds` below), at 00:00 UTC of the chain's clock. A run that
 * starts closer than this to that moment first moves the chain past it and waits for those rounds, so
 * that no keeper round lands between an example's reading of the chain and its own round.
 */
const MIDNIGHT_GUARD = 1_800n;

async function startDocStack(): Promise<DocStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "atf-docs-"));
  const stack: RunningStack = await startStack(hre, {
    host: "127.0.0.1",
    port: 0,
    metricsPortBase: 0,
    stateDir: path.join(dir, "state"),
    outDir: dir,
    logLevel: "silent",
    // one observation a day: the keepers post each index's round at start and none while examples post theirs
    periodSeconds: 86_400,
    blockIntervalMs: 500,
    traderFunding: 1_000_000n,
    log: () => undefined,
  });
  const cleanups: (() => Promise<void>)[] = [() => stack.stop()];
  try {
    const rpcUrl = stack.rpcUrl;
    const chain: Chain = {
      id: stack.chainId,
      name: "localhost",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
    };
    const publicClient = createPublicClient({ chain, transport: http(rpcUrl) }) as PublicClient;
    const testClient = createTestClient({ chain, mode: "hardhat", transport: http(rpcUrl) });
    const book: AddressBook = loadAddressBook(JSON.parse(readFileSync(stack.bookFile, "utf8")));
    const clearinghouse = book.clearinghouse;
    if (clearinghouse === undefined) throw new Error(`${stack.bookFile} has no clearinghouse`);
    const latest = async () => (await publicClient.getBlock()).timestamp;
    const lastRound = (name: string) =>
      readLatest(publicClient, { address: book.indexOracle, indexId: indexIdOf(name) }).then(
        (r) => r.updatedAt,
      );
    /** Every index has a round at or after `since` (bounded wait: the relayers post within a few ticks). */
    const roundsSince = async (since: bigint) => {
      const deadline = Date.now() + BOUNDED_WAIT_MS;
      for (const name of STACK_INDEXES) {
        for (;;) {
          try {
            if ((await lastRound(name)) >= since) break;
          } catch (err) {
            if (Date.now() > deadline) throw err;
          }
          if (Date.now() > deadline) throw new Error(`no ${name} round since ${since}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    await roundsSince(0n);
    {
      const t = await latest();
      const midnight = t - (t % DAY) + DAY;
      if (midnight - t < MIDNIGHT_GUARD) {
        await testClient.increaseTime({ seconds: Number(midnight - t + 1n) });
        await testClient.mine({ blocks: 1 });
        await roundsSince(midnight);
      }
    }
    const walletOf = (i: number) =>
      createWalletClient({
        account: privateKeyToAccount(testAccount(i).privateKey),
        chain,
        transport: http(rpcUrl),
      }) as WriteClient;
    const [makerW, takerW, meW, otherW] = [16, 17, 18, 19].map(walletOf);
    for (const w of [makerW, takerW, meW, otherW]) {
      const { hash } = await deposit(w, { address: clearinghouse, amount: DEPOSIT, approve: "max" });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    const gpu = stack.markets.filter((m) => m.index === "GPU-H100").sort((a, b) => a.expiry - b.expiry)[0];
    const marketId = gpu.id as MarketId;
    const priceNow = async () => {
      const { mark, market } = await fetchMarket(publicClient, { address: clearinghouse, marketId });
      if (mark === undefined) throw new Error("the GPU-H100 market has no mark");
      return mark - (mark % market.params.tickSize);
    };
    // `me` (#18) long 5 against #19
    {
      const { order, signature } = await signOrder(otherW, {
        address: book.exchange,
        order: buildOrder(
          { trader: otherW.account.address, marketId, isBuy: false, size: 5n, limitPrice: await priceNow() },
          await latest(),
        ),
      });
      const { hash } = await fillOrder(meW, { address: book.exchange, order, signature, fillSize: 5n });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
    cleanups.push(() => connection.close());
    const provider = new JsonRpcProvider(rpcUrl, stack.chainId, { staticNetwork: true });
    cleanups.push(async () => provider.destroy());
    const ethersWallet = (i: number) => new Wallet(testAccount(i).privateKey, provider);
    const makerKey = testAccount(16).privateKey;
    const reporters = [5, 6, 7].map((i) => privateKeyToAccount(testAccount(i).privateKey));
    const browserWallet = {
      request: async ({ method, params }: { method: string; params: [Address, string] }) => {
        if (method !== "eth_signTypedData_v4") throw new Error(`the test wallet does not do ${method}`);
        if (params[0].toLowerCase() !== makerW.account.address.toLowerCase())
          throw new Error("not the wallet's key");
        return signTypedData({
          privateKey: Buffer.from(makerKey.slice(2), "hex"),
          data: JSON.parse(params[1]),
          version: SignTypedDataVersion.V4,
        }) as Hex;
      },
    } as unknown as EIP1193Provider;

    provide("stack", async (at): Promise<Partial<StackGiven>> => {
      // an example may post a round: move the chain past the oracle's minInterval since the last one
      const rounds = await Promise.all(STACK_INDEXES.map(lastRound));
      const due = rounds.reduce((a, b) => (a > b ? a : b)) + ROUND_GAP;
      const before = await latest();
      if (before < due) {
        await testClient.increaseTime({ seconds: Number(due - before) });
        await testClient.mine({ blocks: 1 });
      }
      const now = await latest();
      const price = await priceNow();
      const taker = ethersWallet(17);
      const signed = await signOrder(makerW, {
        address: book.exchange,
        order: buildOrder(
          { trader: makerW.account.address, marketId, isBuy: false, size: 10n, limitPrice: price },
          now,
        ),
      });
      const inputsHash = keccak256(toHex(`inputs of the example at ${at}`));
      return {
        publicClient,
        book,
        chainId: stack.chainId,
        now,
        nowSeconds: now,
        exchangeAddress: book.exchange,
        oracleAddress: book.indexOracle,
        accessManager: book.accessManager!,
        collateral: book.collateral!,
        oracle: book.indexOracle,
        treasury: testAccount(4).address,
        ethers: connection.ethers,
        reporters,
        reporterAccounts: reporters,
        inputsHash,
        report: { indexId: indexIdOf("ATPI-FRONTIER"), value: 7n * 10n ** 18n, observedAt: now, inputsHash },
        reporterSigner: ethersWallet(5),
        KEY: testAccount(19).privateKey,
        wallet: otherW,
        maker: makerW.account.address,
        trader: makerW.account.address,
        makerWallet: makerW,
        takerWallet: takerW,
        walletClientOrLocalAccount: privateKeyToAccount(makerKey),
        makerSigner: ethersWallet(16),
        ethersSigner: ethersWallet(16),
        signer: taker,
        me: meW.account.address,
        marketId,
        price,
        order: signed.order,
        signed: { order: signed.order, signature: signed.signature },
        sig: signed.signature,
        exchange: Exchange__factory.connect(book.exchange, taker),
        window: { ethereum: browserWallet },
      };
    });

    const symbols = new Map(stack.markets.map((m) => [m.symbol, m]));
    const replacements: [string, string][] = [
      ["http://127.0.0.1:8545", rpcUrl],
      [STACK_OUTPUTS[0], stack.bookFile],
      [STACK_OUTPUTS[1], stack.ordersFile],
    ];
    return {
      rewrite(b) {
        let text = b.code;
        for (const [from, to] of replacements) {
          if (text.includes(from)) {
            console.log(`    ${where(b)}: ${from} → ${to} (the test stack's)`);
            text = text.split(from).join(to);
          }
        }
        return { ...b, code: text };
      },
      symbol(word, at) {
        const m = /^([A-Z][A-Z0-9-]*)-(\d{8})$/.exec(word);
        if (m === null || symbols.has(word)) return word;
        const same = stack.markets.filter((x) => x.index === m[1]).sort((a, b) => a.expiry - b.expiry);
        if (same.length === 0) throw new Error(`${at}: the stack has no market on ${m[1]} (for ${word})`);
        console.log(`    ${at}: market ${word} → ${same[0].symbol} (the stack's nearest ${m[1]} today)`);
        return same[0].symbol;
      },
      atfFlags: [
        "--deployment",
        stack.bookFile,
        "--rpc-url",
        rpcUrl,
        "--orders-file",
        stack.ordersFile,
        "--state-file",
        path.join(dir, "atf-state.json"),
      ],
      async stop() {
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
