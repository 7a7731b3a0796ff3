/**
 * The code examples of README.md and docs/*.md, extracted and checked (issue 16): every fenced block is
 * classified by its info string, and `test/ts/docs/examples.test.ts` checks each kind.
 *
 * - `ts` / `typescript`: written to `cache/doc-examples/` (git-ignored) as a module whose imports resolve as
 *   from a file at the repository root (`ai-token-futures/sdk` → `sdk/index.ts`, the source
 *   `package.json` `exports` builds from; `./index/index.js` → `index/index.ts`), type-checked with the
 *   repository's compiler options, then run (alone, or against the local stack, see the marker below).
 * - `js`: the same as a CommonJS file (`require`), type-checked with `checkJs` and run by node.
 * - `sh` / `bash`: each command is checked without running it: npm scripts exist, `atf` and `keepers`
 *   command lines parse through their commander programs (actions replaced by no-ops), `npx hardhat`
 *   tasks and networks exist, `npx tsx <script>` flags appear in the script, files exist, environment
 *   variables are read somewhere; a block marked `context=stack` is also executed on the local stack.
 * - `solidity`: each `struct` must list the same members as the struct of that name in `contracts/`.
 * - everything else (no info string, `text`, `json`, `yaml`, `math`) is not code: listed; an EIP-712 type
 *   string in such a block must occur in `contracts/`, `json` must parse, metric names in `yaml` must be
 *   the keepers'. An info string no checker knows fails the test.
 *
 * A marker on the line before a fence (an HTML comment, not rendered; parts separated by `;`) says how a
 * block is treated:
 *
 *   <!-- example: context=stack; given=publicClient, book -->  run on the local stack; the names come from
 *                                                              the test's stack context (typed there)
 *   <!-- example: context=stack; given=…; no-run: <why> -->    checked statically (typed by the context),
 *                                                              not executed
 *   <!-- example: illustrative: <why> -->                      listed and counted, not checked
 *
 * Without a marker a `ts` / `js` block is type-checked and run on its own (no chain), and an `sh` block is
 * checked statically. Run `npx tsx scripts/doc-examples.ts` for the inventory.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import ts from "typescript";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Where the generated example modules go (inside the repository so that imports resolve; git-ignored). */
export const OUT_DIR = path.join(ROOT, "cache", "doc-examples");

export type Kind = "ts" | "js" | "sh" | "solidity" | "not-code" | "unknown";

export interface Marker {
  /** `illustrative: why` — listed and counted, not checked. */
  illustrative?: string;
  /** `no-run: why` — checked statically only. */
  noRun?: string;
  /** `context=<name>`: where it runs and where its `given` names come from (`stack`); none: alone. */
  context?: string;
  /** `given=a, b`: names the context supplies. */
  given: string[];
}

export interface DocBlock {
  /** Repository-relative path of the Markdown file. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased ("" when none). */
  lang: string;
  kind: Kind;
  code: string;
  marker?: Marker;
}

/** `file:line`, how a block is named in every message. */
export const where = (b: DocBlock) => `${b.file}:${b.line}`;

/** README.md and docs/*.md (not docs/api, which is generated). */
export function docFiles(root = ROOT): string[] {
  const docs = readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

const KINDS: Record<string, Kind> = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  cjs: "js",
  sh: "sh",
  bash: "sh",
  shell: "sh",
  solidity: "solidity",
  sol: "solidity",
  "": "not-code",
  text: "not-code",
  txt: "not-code",
  json: "not-code",
  yaml: "not-code",
  yml: "not-code",
  math: "not-code",
};

export function kindOf(lang: string): Kind {
  return KINDS[lang] ?? "unknown";
}

/** The contexts a block can run in (`test/ts/docs/contexts.ts`). */
export const CONTEXTS = ["stack"] as const;

/**
 * Parses the body of `<!-- example: … -->`: parts separated by `;`, `context=…`, `given=a, b`, and last
 * `no-run: why` or `illustrative: why` (the reason runs to the end). Throws on anything else.
 */
export function parseMarker(text: string, at: string): Marker {
  const marker: Marker = { given: [] };
  let rest = text.trim();
  while (rest !== "") {
    const reason = /^(illustrative|no-run)\s*:\s*(.+)$/s.exec(rest);
    if (reason !== null) {
      if (reason[1] === "illustrative") marker.illustrative = reason[2].trim();
      else marker.noRun = reason[2].trim();
      break;
    }
    const semi = rest.indexOf(";");
    const part = (semi === -1 ? rest : rest.slice(0, semi)).trim();
    rest = semi === -1 ? "" : rest.slice(semi + 1).trim();
    const kv = /^(context|given)\s*=\s*(.+)$/s.exec(part);
    if (kv === null) throw new Error(`${at}: cannot read the example marker part "${part}"`);
    if (kv[1] === "context") marker.context = kv[2].trim();
    else
      marker.given = kv[2]
        .split(",")
        .map((n) => n.trim())
        .filter((n) => n !== "");
  }
  if (marker.context !== undefined && !(CONTEXTS as readonly string[]).includes(marker.context)) {
    throw new Error(`${at}: unknown context "${marker.context}" (known: ${CONTEXTS.join(", ")})`);
  }
  for (const n of marker.given) {
    if (!/^[A-Za-z_$][\w$]*$/.test(n)) throw new Error(`${at}: "${n}" is not a name`);
  }
  if (marker.given.length > 0 && marker.context === undefined) {
    throw new Error(`${at}: given= needs context=<name>`);
  }
  return marker;
}

/** True when the test executes the block (not only checks it). */
export function runs(b: DocBlock): boolean {
  if (b.marker?.illustrative !== undefined || b.marker?.noRun !== undefined) return false;
  if (b.kind === "ts" || b.kind === "js") return true;
  return b.kind === "sh" && b.marker?.context !== undefined;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;
const MARKER = /^\s*<!--\s*example:(.*?)-->\s*$/s;

/** Every fenced code block of a Markdown text, with the marker just before it (blank lines allowed). */
export function extractBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = lines[j].trim();
      if (close.startsWith(fence[0].repeat(fence.length)) && /^[`~]+$/.test(close)) break;
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: code fence never closed`);
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === "") k--;
    const m = k >= 0 ? MARKER.exec(lines[k]) : null;
    const lang = info.toLowerCase();
    blocks.push({
      file,
      line: i + 1,
      lang,
      kind: kindOf(lang),
      code: body.join("\n") + "\n",
      marker: m === null ? undefined : parseMarker(m[1], `${file}:${k + 1}`),
    });
    i = j;
  }
  // a marker that precedes no fence is a mistake (a typo in the fence, or a block that moved)
  lines.forEach((l, n) => {
    if (MARKER.test(l)) {
      let k = n + 1;
      while (k < lines.length && lines[k].trim() === "") k++;
      if (k >= lines.length || FENCE.exec(lines[k]) === null) {
        throw new Error(`${file}:${n + 1}: example marker not followed by a code block`);
      }
    }
  });
  return blocks;
}

/** Every block of README.md and docs/*.md. */
export function allBlocks(root = ROOT): DocBlock[] {
  return docFiles(root).flatMap((f) => extractBlocks(f, readFileSync(path.join(root, f), "utf8")));
}

/** How a block is checked, in one phrase (the inventory prints it). */
export function treatment(b: DocBlock): string {
  if (b.marker?.illustrative !== undefined) return `illustrative: ${b.marker.illustrative}`;
  const run = !runs(b)
    ? `not run: ${b.marker?.noRun ?? "static check only"}`
    : b.marker?.context !== undefined
      ? `run on the ${b.marker.context}`
      : "run alone";
  switch (b.kind) {
    case "ts":
      return `type-checked, ${run}`;
    case "js":
      return `type-checked (checkJs), ${run}`;
    case "sh":
      return runs(b) ? `commands checked, ${run}` : "commands checked";
    case "solidity":
      return "structs compared with contracts/";
    case "not-code":
      return `not code (${b.lang || "no info string"})`;
    case "unknown":
      return `no checker for "${b.lang}"`;
  }
}

// ---------------------------------------------------------------------------------------------------------
// TypeScript / JavaScript examples

interface PackageJson {
  name: string;
  version: string;
  scripts: Record<string, string>;
  exports: Record<string, { import?: { default?: string } } | string>;
}

export function packageJson(root = ROOT): PackageJson {
  return JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as PackageJson;
}

/**
 * `ai-token-futures/sdk` → `sdk/index.ts`: each `exports` entry's ES module file (`./dist/sdk/index.js`)
 * without `dist/`, i.e. the source the build compiles it from.
 */
export function packageSources(root = ROOT): Map<string, string> {
  const pkg = packageJson(root);
  const out = new Map<string, string>();
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string" || target.import?.default === undefined) continue;
    const dist = target.import.default.replace(/^\.\//, "");
    if (!dist.startsWith("dist/")) continue;
    const source = dist.slice("dist/".length).replace(/\.js$/, ".ts");
    if (!existsSync(path.join(root, source))) {
      throw new Error(`package.json exports "${sub}": no source ${source} for ${dist}`);
    }
    out.set(path.posix.join(pkg.name, sub), source);
  }
  return out;
}

export interface GeneratedModule {
  block: DocBlock;
  /** Absolute path of the generated file. */
  file: string;
  source: string;
  /** Lines the generated file has before the block's first line. */
  prelude: number;
  /** Problems found while generating (imports that leave the repository, test helpers). */
  problems: string[];
}

/** A name for a block's generated file: `docs-sdk.md-234.ts`. */
export function generatedName(b: DocBlock): string {
  return `${b.file.replace(/[/\\]/g, "-")}-${b.line}${b.kind === "js" ? ".cjs" : ".ts"}`;
}

/** Strings in npm start's output that a run replaces by the test stack's own (see the test). */
export const STACK_OUTPUTS = ["deployments/localhost.json", ".stack/orders.json"] as const;

/**
 * The block as a module in `outDir`: imports rewritten to resolve as from the repository root, and for a
 * block with `given=…` a first line that takes those names from the context module.
 */
export function generateModule(
  b: DocBlock,
  opts: { root?: string; outDir?: string; contextModule?: string } = {},
): GeneratedModule {
  const root = opts.root ?? ROOT;
  const outDir = opts.outDir ?? OUT_DIR;
  const file = path.join(outDir, generatedName(b));
  const problems: string[] = [];
  const sources = packageSources(root);
  const rel = (target: string) => {
    let r = path.relative(outDir, path.join(root, target)).split(path.sep).join("/");
    if (!r.startsWith(".")) r = `./${r}`;
    return r;
  };
  const info = ts.preProcessFile(b.code, true, true);
  const edits: { pos: number; end: number; text: string }[] = [];
  // node runs a CommonJS example through tsx, which maps `.js` to `.ts` for ES modules only
  const ext = (target: string) => (b.kind === "js" ? target.replace(/\.js$/, ".ts") : target);
  for (const imp of info.importedFiles) {
    const spec = imp.fileName;
    if (/(^|\/)test\//.test(spec)) {
      problems.push(`import "${spec}" is a test helper: user docs import the SDK (ai-token-futures/sdk)`);
    }
    let target: string | undefined;
    if (sources.has(spec)) {
      target = sources.get(spec)!.replace(/\.ts$/, ".js");
    } else if (spec.startsWith(".")) {
      const resolved = path.posix.normalize(spec);
      if (resolved.startsWith("..")) {
        problems.push(
          `import "${spec}" leaves the repository (examples are written as from a file at the repository root)`,
        );
        continue;
      }
      target = resolved;
    } else {
      continue; // a dependency (viem, node:fs, …): resolved as is
    }
    // the reference's position is its opening quote or its first character, depending on the form
    const start = /["'`]/.test(b.code[imp.pos]) ? imp.pos + 1 : imp.pos;
    if (b.code.slice(start, start + spec.length) !== spec)
      throw new Error(`${where(b)}: cannot place "${spec}"`);
    edits.push({ pos: start, end: start + spec.length, text: ext(rel(target)) });
  }
  let code = b.code;
  for (const e of edits.sort((x, y) => y.pos - x.pos))
    code = code.slice(0, e.pos) + e.text + code.slice(e.end);

  let prelude: string;
  if (b.kind === "js") {
    if ((b.marker?.given.length ?? 0) > 0) problems.push("given= is supported for ts blocks only");
    prelude = `// @ts-check — ${where(b)}, generated by scripts/doc-examples.ts`;
  } else if ((b.marker?.given.length ?? 0) > 0) {
    const ctx = rel(opts.contextModule ?? "test/ts/docs/contexts.ts").replace(/\.ts$/, ".js");
    prelude =
      `import { given as __given } from "${ctx}"; ` +
      `const { ${b.marker!.given.join(", ")} } = await __given(${JSON.stringify(b.marker!.context)}, ${JSON.stringify(where(b))}); ` +
      `// ${where(b)}, generated by scripts/doc-examples.ts`;
  } else {
    prelude = `export {}; // ${where(b)}, generated by scripts/doc-examples.ts`;
  }
  return { block: b, file, source: `${prelude}\n${code}`, prelude: 1, problems };
}

export interface TypeProblem {
  block: DocBlock;
  /** `file:line` in the Markdown. */
  at: string;
  message: string;
}

/**
 * Type-checks the generated modules (already written to disk) in one program with the repository's
 * compiler options (module NodeNext for import attributes and `require` of ES modules, `checkJs` for
 * `.cjs`). Only diagnostics inside the generated files are returned.
 */
export function typeCheck(modules: GeneratedModule[], root = ROOT): TypeProblem[] {
  const configPath = path.join(root, "tsconfig.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  if (parsed === undefined) throw new Error("cannot read tsconfig.json");
  const options: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const program = ts.createProgram(
    modules.map((m) => m.file),
    options,
  );
  const byFile = new Map(modules.map((m) => [path.resolve(m.file), m]));
  const out: TypeProblem[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const m = d.file === undefined ? undefined : byFile.get(path.resolve(d.file.fileName));
    if (m === undefined) continue;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    const docLine = line < m.prelude ? m.block.line : m.block.line + (line - m.prelude) + 1;
    out.push({
      block: m.block,
      at: `${m.block.file}:${docLine}`,
      message: ts.flattenDiagnosticMessageText(d.messageText, " "),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Facts the docs state (issue 16: they cannot come back)

/** `MAX_OPEN_MARKETS` of `contracts/libraries/MarginLogic.sol`. */
export function maxOpenMarkets(root = ROOT): number {
  const sol = readFileSync(path.join(root, "contracts", "libraries", "MarginLogic.sol"), "utf8");
  const m = /MAX_OPEN_MARKETS\s*=\s*(\d+)/.exec(sol);
  if (m === null) throw new Error("MAX_OPEN_MARKETS not found in MarginLogic.sol");
  return Number(m[1]);
}

const NUMBER_WORDS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  twelve: 12,
  sixteen: 16,
};

/**
 * Every statement of the per-account market cap in prose and code ("at most 8 open markets", "eight
 * open markets", "up to 4 markets") whose number differs from the contract's.
 */
export function openMarketClaims(text: string, cap: number): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const n = "(\\d+|" + Object.keys(NUMBER_WORDS).join("|") + ")";
  const patterns = [
    new RegExp(
      `\\b(?:at most|up to|no more than|maximum of|max\\.?)\\s+${n}\\s+(?:open\\s+)?(?:markets|lanes)\\b`,
      "gid",
    ),
    new RegExp(`\\b${n}\\s+open\\s+markets\\b`, "gid"),
  ];
  text.split("\n").forEach((l, i) => {
    const seen = new Set<number>(); // both patterns can match one statement: count its number once
    for (const re of patterns) {
      for (const m of l.matchAll(re)) {
        const at = m.indices![1][0];
        if (seen.has(at)) continue;
        seen.add(at);
        const word = m[1].toLowerCase();
        const value = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS[word];
        if (value !== cap) out.push({ line: i + 1, text: m[0] });
      }
    }
  });
  return out;
}

/** What `npm start` writes, relative to the repository root (scripts/start.ts defaults, scripts/lib/stack.ts). */
export const NPM_START_WRITES = {
  addressBook: "deployments/localhost.json",
  ordersFile: ".stack/orders.json",
  ignitionJournal: ".stack/ignition/chain-31337/",
};

/** Problems of a ts / js block that tsc cannot see. */
export function codeFacts(b: DocBlock, root = ROOT): string[] {
  const problems: string[] = [];
  const lines = b.code.split("\n");
  lines.forEach((l, i) => {
    const at = `${b.file}:${b.line + 1 + i}`;
    if (/\bhttp\(\s*\)/.test(l)) {
      problems.push(
        `${at}: http() without a URL (viem then uses the chain's default RPC, and there is no chain here)`,
      );
    }
    if (/ignition\/deployments\//.test(l)) {
      problems.push(
        `${at}: ignition/deployments/ is written by \`npm run deploy:local\`, not by \`npm start\` ` +
          `(which writes ${NPM_START_WRITES.addressBook} and ${NPM_START_WRITES.ignitionJournal})`,
      );
    }
    for (const m of l.matchAll(
      /["'`](\.?\/?(?:[\w.@-]+\/)+[\w.-]+\.(?:json|csv|ts|js|mjs|cjs|md|sol))["'`]/g,
    )) {
      const p = path.posix.normalize(m[1]);
      if (p.startsWith("..") || p.startsWith("/")) continue; // import specifiers leaving the root: reported elsewhere
      if ((STACK_OUTPUTS as readonly string[]).includes(p)) continue;
      if (/^(viem|ethers|node:)/.test(p)) continue;
      const base = p.replace(/\.js$/, ".ts");
      if (!existsSync(path.join(root, p)) && !existsSync(path.join(root, base))) {
        problems.push(`${at}: "${m[1]}" is neither in the repository nor written by npm start`);
      }
    }
  });
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Shell blocks

export interface ShellCommand {
  /** 1-based line in the Markdown where the command starts. */
  line: number;
  /** `VAR=value` prefixes. */
  env: Record<string, string>;
  argv: string[];
  /** The command as written (continuations joined). */
  text: string;
}

/** Splits a shell line into words (single and double quotes, backslash escapes; no expansion). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  let has = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur !== "") words.push(cur);
      cur = "";
      has = false;
    } else if (c === "#" && cur === "" && !has) {
      break; // a comment
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote !== undefined) throw new Error(`unclosed ${quote} in: ${text}`);
  if (has || cur !== "") words.push(cur);
  return words;
}

/** The commands of an `sh` block: continuation lines joined, comments dropped, `a && b` split. */
export function shellCommands(b: DocBlock): ShellCommand[] {
  const out: ShellCommand[] = [];
  const lines = b.code.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i];
    while (/\\\s*$/.test(text) && i + 1 < lines.length) text = text.replace(/\\\s*$/, " ") + lines[++i];
    const words = shellWords(text);
    if (words.length === 0) continue;
    let part: string[] = [];
    const flush = () => {
      if (part.length === 0) return;
      const env: Record<string, string> = {};
      while (part.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(part[0])) {
        const [k, ...v] = part.shift()!.split("=");
        env[k] = v.join("=");
      }
      out.push({ line: b.line + 1 + start, env, argv: part, text: text.replace(/\s+#.*$/, "").trim() });
      part = [];
    };
    for (const w of words) {
      if (w === "&&" || w === ";") flush();
      else if (w === "|" || w === "||" || w === ">" || w === "<") {
        throw new Error(`${b.file}:${b.line + 1 + start}: no checker for "${w}" in a shell command`);
      } else part.push(w);
    }
    flush();
  }
  return out;
}

/** Directories whose sources may read an environment variable a doc sets. */
const ENV_SOURCES = ["scripts", "keepers", "sdk", "index", "hardhat.config.ts"];

function sourceFiles(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (rel.endsWith(".ts") || rel.endsWith(".js")) return [abs];
  const out: string[] = [];
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "generated") continue;
    const child = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(root, child));
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) out.push(path.join(root, child));
  }
  return out;
}

let envCorpus: string | undefined;
/** True when some source file names the variable (read through `process.env`, commander `.env()`, …). */
export function envVariableIsRead(name: string, root = ROOT): boolean {
  envCorpus ??= ENV_SOURCES.flatMap((d) => sourceFiles(root, d))
    .map((f) => readFileSync(f, "utf8"))
    .join("\n");
  return new RegExp(`\\b${name}\\b`).test(envCorpus);
}

/** The Prometheus metric names the keepers define (`"keeper_…"` string literals in keepers/). */
export function keeperMetricNames(root = ROOT): Set<string> {
  const out = new Set<string>();
  for (const f of sourceFiles(root, "keepers")) {
    for (const m of readFileSync(f, "utf8").matchAll(/["'`](keeper_[a-z0-9_]+)["'`]/g)) out.add(m[1]);
  }
  return out;
}

/** A file argument that names something in the repository (a path with a directory and an extension). */
export function looksLikeRepoPath(word: string): boolean {
  return /^\.?\/?[\w.-]+(\/[\w.-]+)+\.(ts|js|mjs|cjs|json|csv|sol)$/.test(word) && !word.startsWith("/");
}

/** Checks one tool's command line without running it; returns the problem, or undefined. */
export type ArgvChecker = (args: string[]) => Promise<string | undefined>;

export interface ShellCheckers {
  /** `npm run atf -- …`, `node cli/bin.js …` (or the older `node scripts/atf.js …`) */
  atf: ArgvChecker;
  /** `npm run keepers -- …`, `node keepers/bin.js …` */
  keepers: ArgvChecker;
  /** `npx hardhat …` */
  hardhat: ArgvChecker;
}

/** npm's own commands a doc may use (anything else must be `npm run <script>`). */
const NPM_BUILTINS = new Set(["install", "ci", "pack", "start", "test"]);

/**
 * Checks a command without running it. Returns the problems (empty: fine). The environment variables it
 * sets must be read by some source file; each command kind has its own rule, and a command no rule
 * covers is a problem, so nothing passes unchecked.
 */
export async function checkShellCommand(
  cmd: ShellCommand,
  checkers: ShellCheckers,
  root = ROOT,
): Promise<string[]> {
  const problems: string[] = [];
  const pkg = packageJson(root);
  const env = { ...cmd.env };
  const [tool, ...args] = cmd.argv;
  const exists = (p: string) => existsSync(path.join(root, p));
  const files = (words: string[]) => {
    for (const w of words) if (looksLikeRepoPath(w) && !exists(w)) problems.push(`no file ${w}`);
  };
  /**
   * Flags (`--x`) must be defined in the script's source: a commander option (`"--x <v>"`) or a
   * `node:util` `parseArgs` key (`"x": {` / `x: {`).
   */
  const flagsIn = (script: string, words: string[]) => {
    const text = readFileSync(path.join(root, script), "utf8");
    for (const w of words) {
      const name = /^--([a-z][\w-]*)/.exec(w)?.[1];
      if (name === undefined) continue;
      const defined = new RegExp(`["'\`]--${name}\\b|["']${name}["']\\s*:\\s*\\{|\\b${name}\\s*:\\s*\\{`);
      if (!defined.test(text)) problems.push(`${script} has no option --${name}`);
    }
  };
  const afterDashes = (words: string[]) => {
    const i = words.indexOf("--");
    return i === -1 ? [] : words.slice(i + 1);
  };
  const add = (p: string | undefined) => {
    if (p !== undefined) problems.push(p);
  };
  if (tool === "export") {
    for (const a of args) {
      const m = /^([A-Z_][A-Z0-9_]*)=/.exec(a);
      if (m === null) problems.push(`export: cannot read "${a}"`);
      else env[m[1]] = "";
    }
  } else if (tool === "npm") {
    const [sub, ...rest] = args;
    if (sub === "run") {
      const [script, ...more] = rest;
      if (pkg.scripts[script] === undefined) problems.push(`package.json has no script "${script}"`);
      else if (script === "atf") add(await checkers.atf(afterDashes(more)));
      else if (script === "keepers") add(await checkers.keepers(afterDashes(more)));
      else if (more.length > 0) problems.push(`no checker for the arguments of npm run ${script}`);
    } else if (sub === "start") {
      flagsIn("scripts/lib/startOptions.ts", afterDashes(rest));
    } else if (sub === "test" || sub === "ci" || sub === "pack") {
      if (rest.length > 0) problems.push(`no checker for the arguments of npm ${sub}`);
    } else if (sub === "install") {
      for (const a of rest) {
        if (a.endsWith(".tgz")) {
          const expected = `${pkg.name}-${pkg.version}.tgz`;
          if (path.basename(a) !== expected)
            problems.push(`npm pack writes ${expected}, not ${path.basename(a)}`);
        } else if (a.startsWith("-")) {
          problems.push(`no checker for npm install ${a}`);
        }
        // a package name (viem, …) is npm's business
      }
    } else if (!NPM_BUILTINS.has(sub)) {
      problems.push(`no checker for npm ${sub}`);
    }
  } else if (tool === "node") {
    const [script, ...rest] = args;
    if (script === "cli/bin.js" || script === "scripts/atf.js") add(await checkers.atf(rest));
    else if (script === "keepers/bin.js") add(await checkers.keepers(rest));
    else problems.push(`no checker for node ${script}`);
  } else if (tool === "npx") {
    const [bin, ...rest] = args;
    if (bin === "hardhat") {
      add(await checkers.hardhat(rest));
      files(rest);
    } else if (bin === "tsx") {
      const [script, ...more] = rest;
      if (!exists(script)) problems.push(`no file ${script}`);
      else flagsIn(script, more);
      files(more);
    } else {
      problems.push(`no checker for npx ${bin}`);
    }
  } else {
    problems.push(`no checker for "${tool}"`);
  }
  for (const name of Object.keys(env)) {
    if (!envVariableIsRead(name, root)) problems.push(`no source reads the environment variable ${name}`);
  }
  return problems;
}

/**
 * A checker for a commander program: the program is built as the tool builds it, but every action is a
 * no-op, so parsing checks the command, its options (known, with their values), its arguments and the
 * required options, and nothing runs. `--help` passes.
 */
export async function commanderParses(
  build: () => Promise<{ parse: (args: string[]) => Promise<void>; output: () => string }>,
  args: string[],
): Promise<string | undefined> {
  const { Command, CommanderError } = await import("commander");
  const action = Command.prototype.action;
  Command.prototype.action = function (this: InstanceType<typeof Command>) {
    return action.call(this, () => undefined);
  };
  try {
    const program = await build();
    try {
      await program.parse(args);
      return undefined;
    } catch (err) {
      if (err instanceof CommanderError) {
        return err.exitCode === 0 ? undefined : program.output().trim().split("\n")[0] || err.message;
      }
      throw err;
    }
  } finally {
    Command.prototype.action = action;
  }
}

/** `atf` (cli/program.ts): its `run`, with the actions replaced. */
export const atfParses: ArgvChecker = (args) =>
  commanderParses(async () => {
    const { run } = await import("../cli/program.js");
    const lines: string[] = [];
    return {
      output: () => lines.join("\n"),
      parse: async (a) => {
        const code = await run(a, { out: () => undefined, err: (l) => lines.push(l), env: {} });
        if (code !== 0) {
          const { CommanderError } = await import("commander");
          throw new CommanderError(code, "atf", lines[0] ?? `exit ${code}`);
        }
      },
    };
  }, args);

/** `keepers` (keepers/cli.ts): its program, every command made to throw instead of exiting. */
export const keepersParse: ArgvChecker = (args) =>
  commanderParses(async () => {
    const { buildProgram } = await import("../keepers/cli.js");
    const lines: string[] = [];
    const program = buildProgram({ env: {}, stderr: (t) => lines.push(t), exit: { code: 0 } });
    for (const c of [program, ...program.commands]) {
      c.exitOverride().configureOutput({ writeOut: () => undefined, writeErr: (t) => lines.push(t) });
    }
    return {
      output: () => lines.join(""),
      parse: async (a) => void (await program.parseAsync(a, { from: "user" })),
    };
  }, args);

// ---------------------------------------------------------------------------------------------------------
// Solidity blocks and type strings

/** Members (`type name`) of every `struct` in a Solidity text, comments stripped. */
export function solidityStructs(text: string): Map<string, string[]> {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const out = new Map<string, string[]>();
  for (const m of clean.matchAll(/\bstruct\s+(\w+)\s*\{([^}]*)\}/g)) {
    out.set(
      m[1],
      m[2]
        .split(";")
        .map((s) => s.trim().replace(/\s+/g, " "))
        .filter((s) => s !== ""),
    );
  }
  return out;
}

function solidityFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...solidityFiles(p));
    else if (e.name.endsWith(".sol")) out.push(p);
  }
  return out;
}

/** Every struct of `contracts/` (excluding `contracts/test/`), by name. */
export function contractStructs(root = ROOT): Map<string, { file: string; members: string[] }[]> {
  const out = new Map<string, { file: string; members: string[] }[]>();
  for (const f of solidityFiles(path.join(root, "contracts"))) {
    if (f.includes(`${path.sep}contracts${path.sep}test${path.sep}`)) continue;
    for (const [name, members] of solidityStructs(readFileSync(f, "utf8"))) {
      const list = out.get(name) ?? [];
      list.push({ file: path.relative(root, f), members });
      out.set(name, list);
    }
  }
  return out;
}

/** The string literals of `contracts/`, adjacent literals joined as Solidity joins them. */
export function contractStrings(root = ROOT): Set<string> {
  const out = new Set<string>();
  for (const f of solidityFiles(path.join(root, "contracts"))) {
    const text = readFileSync(f, "utf8").replace(/\/\/[^\n]*/g, "");
    for (const m of text.matchAll(/"(?:[^"\\\n]|\\.)*"(?:\s*"(?:[^"\\\n]|\\.)*")*/g)) {
      const joined = [...m[0].matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((p) => p[1]).join("");
      out.add(joined);
    }
  }
  return out;
}

/** EIP-712 type strings (`Name(type name,…)`) on the lines of a block. */
export function typeStrings(code: string): string[] {
  return code
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^[A-Z]\w*\((\w+(\[\])? \w+)(,\w+(\[\])? \w+)*\)$/.test(l));
}

// ---------------------------------------------------------------------------------------------------------

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const blocks = allBlocks();
  const counts = new Map<string, number>();
  for (const b of blocks) {
    const key = b.marker?.illustrative !== undefined ? `${b.kind} (illustrative)` : b.kind;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    console.log(`${where(b).padEnd(32)} ${(b.lang || "-").padEnd(10)} ${treatment(b)}`);
  }
  console.log(
    `\n${blocks.length} blocks: ` +
      [...counts]
        .sort()
        .map(([k, n]) => `${n} ${k}`)
        .join(", "),
  );
}
