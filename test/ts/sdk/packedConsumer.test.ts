/**
 * The SDK as an integrator installs it: `npm pack` of this repository, installed with its peer viem into
 * a scratch project under the OS temp directory (outside the repository, so nothing resolves from the
 * repository's own node_modules), then an ES module consumer and a CommonJS consumer, each type-checked
 * by `tsc` against the package's own declarations, run against a local JSON-RPC chain.
 *
 * The scratch project gets a package-lock.json copied from the repository's entries for the packages
 * the SDK installs (viem and its dependencies, zod), so `npm install --offline` takes every tarball from
 * the local npm cache that the repository's own install filled: no network.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { expect } from "chai";
import hre from "hardhat";
import type { Address } from "viem";

import { asMarketId, exchangeDomain, hashOrder, indexIdOf, type Order } from "../../../sdk/index.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
/** What installing the SDK must not bring: build tools, the keepers' logging and metrics, Hardhat. */
const NOT_INSTALLED = ["tsx", "esbuild", "pino", "prom-client", "commander", "hardhat", "typescript"];

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/**
 * The repository's lock entries of `names` and everything they depend on, required peers included (Node's
 * resolution: the nearest `node_modules/<dep>` walking up from the dependent), keyed by their install location.
 */
export function lockClosure(packages: Record<string, LockEntry>, names: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const locate = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base === "" ? `node_modules/${dep}` : `${base}/node_modules/${dep}`;
      if (packages[candidate]) return candidate;
      if (base === "") return undefined;
      const at = base.lastIndexOf("/node_modules/");
      base = at < 0 ? "" : base.slice(0, at);
    }
  };
  const visit = (location: string): void => {
    if (out[location]) return;
    const entry = packages[location];
    out[location] = { ...entry, dev: undefined, peer: undefined, devOptional: undefined };
    // Required peers too: without them npm resolves the peer from the registry (`isows` needs `ws`), which an
    // offline install on a machine whose cache holds only tarballs cannot.
    const peers = Object.keys(entry.peerDependencies ?? {}).filter(
      (p) => !entry.peerDependenciesMeta?.[p]?.optional,
    );
    for (const dep of [...Object.keys({ ...entry.dependencies, ...entry.optionalDependencies }), ...peers]) {
      const found = locate(location, dep);
      if (found) visit(found);
    }
  };
  for (const name of names) {
    const found = locate("", name);
    if (!found) throw new Error(`${name} is not in package-lock.json`);
    visit(found);
  }
  return JSON.parse(JSON.stringify(out)) as Record<string, LockEntry>;
}

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    // Node 22's resolution: \`require\` of an ES module (viem's types are ESM) is allowed.
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    lib: ["es2023", "dom"],
    types: [],
    strict: true,
    skipLibCheck: true,
    outDir: "out",
    rootDir: "src",
  },
  include: ["src"],
};

/** Both consumers run this body; only the import form differs. */
const CONSUMER_BODY = `
declare const process: { argv: string[] };
const [rpcUrl, exchange] = process.argv.slice(2) as [string, Address];

async function main(): Promise<void> {
  // The app's own viem client is accepted by the SDK's actions (viem is a peer: one copy).
  const client = createPublicClient({ transport: http(rpcUrl) });
  const chainId = BigInt(await client.getChainId());
  const order: Order = buildOrder(
    {
      trader: "0x00000000000000000000000000000000000000a1",
      marketId: asMarketId(indexIdOf("ATPI-FRONTIER-2027Q1")),
      isBuy: true,
      size: 3n,
      limitPrice: 2n * 10n ** 18n,
      nonce: 1n,
      salt: 7n,
      expiry: 4_000_000_000n,
    },
    0n,
  );
  const domain = exchangeDomain(chainId, exchange);
  const onChain = await client.readContract({
    address: exchange,
    abi: exchangeAbi,
    functionName: "hashOrder",
    args: [order],
  });
  const [state] = await readFilled(client, { address: exchange, orders: [order] });
  // @ts-expect-error -- a plain string is not a MarketId: the declarations are there and typed.
  const notAMarket: MarketId = "0x00";
  void notAMarket;
  const decoded = decodeContractError(new NoRoundsError({ indexId: indexIdOf("x") }));
  console.log(
    JSON.stringify({
      orderHash: hashOrder(domain, order),
      onChain,
      remaining: state.remaining.toString(),
      typedData: typedDataForOrder(order, domain),
      decoded: decoded?.name,
    }),
  );
}

void main();
`;

const IMPORTS = `
  NoRoundsError,
  asMarketId,
  buildOrder,
  decodeContractError,
  exchangeAbi,
  exchangeDomain,
  hashOrder,
  indexIdOf,
  readFilled,
  typedDataForOrder,
  type MarketId,
  type Order,
`;

describe("sdk package, packed and installed by a consumer", function () {
  this.timeout(900_000);
  let scratch: string;
  let tarball: string;
  let server: Awaited<ReturnType<typeof hre.network.createServer>>;
  let rpcUrl: string;
  let exchange: Address;

  before(async function () {
    execFileSync(process.execPath, [path.join(ROOT, "scripts", "build-sdk.mjs")], {
      cwd: ROOT,
      stdio: "inherit",
    });
    scratch = mkdtempSync(path.join(tmpdir(), "atf-sdk-consumer-"));
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], {
        cwd: ROOT,
        encoding: "utf8",
      }),
    ) as { filename: string }[];
    tarball = path.join(scratch, packed[0].filename);

    const app = path.join(scratch, "app");
    mkdirSync(path.join(app, "src"), { recursive: true });
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, LockEntry>;
    };
    const viemVersion = lock.packages["node_modules/viem"].version as string;
    const dependencies = { "ai-token-futures": `file:${path.relative(app, tarball)}`, viem: viemVersion };
    writeFileSync(
      path.join(app, "package.json"),
      JSON.stringify({ name: "atf-consumer", private: true, type: "module", dependencies }, null, 2),
    );
    const sdkManifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      version: string;
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional?: boolean }>;
      engines: Record<string, string>;
    };
    writeFileSync(
      path.join(app, "package-lock.json"),
      JSON.stringify(
        {
          name: "atf-consumer",
          lockfileVersion: 3,
          requires: true,
          packages: {
            "": { name: "atf-consumer", dependencies },
            "node_modules/ai-token-futures": {
              version: sdkManifest.version,
              resolved: dependencies["ai-token-futures"],
              license: "UNLICENSED",
              dependencies: sdkManifest.dependencies,
              engines: sdkManifest.engines,
              peerDependencies: sdkManifest.peerDependencies,
              peerDependenciesMeta: sdkManifest.peerDependenciesMeta,
            },
            ...lockClosure(lock.packages, ["viem", ...Object.keys(sdkManifest.dependencies)]),
          },
        },
        null,
        2,
      ),
    );
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: app,
      stdio: "inherit",
    });

    // The local chain: a JSON-RPC server on loopback with an Exchange (on a mock venue) deployed.
    server = await hre.network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    rpcUrl = `http://${address}:${port}`;
    const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
    const [admin] = await connection.viem.getWalletClients();
    const manager = await connection.viem.deployContract("AccessManager", [admin.account.address]);
    const venue = await connection.viem.deployContract("MockClearinghouseVenue");
    exchange = (await connection.viem.deployContract("Exchange", [venue.address, manager.address]))
      .address as Address;
    await connection.close();

    writeFileSync(
      path.join(app, "src", "esm.mts"),
      `import { createPublicClient, http, type Address } from "viem";\nimport {${IMPORTS}} from "ai-token-futures/sdk";\n${CONSUMER_BODY}`,
    );
    writeFileSync(
      path.join(app, "src", "cjs.cts"),
      `import { createPublicClient, http, type Address } from "viem";\nimport {${IMPORTS}} from "ai-token-futures/sdk";\n` +
        `declare const require: { resolve(id: string): string };\n` +
        `export const resolvedFrom = require.resolve("ai-token-futures/sdk");\n${CONSUMER_BODY}`,
    );
    writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: app, stdio: "inherit" });
  });

  after(async function () {
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("test_packedManifest_advertisesNoBinsAndDependsOnZodWithViemAsPeer", function () {
    const manifest = JSON.parse(
      execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" }),
    ) as Record<string, unknown>;
    expect(manifest.bin).to.equal(undefined);
    expect(Object.keys(manifest.dependencies as object)).to.deep.equal(["zod"]);
    expect(Object.keys(manifest.peerDependencies as object)).to.include("viem");
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(files).to.include("package/dist/sdk/index.js");
    expect(files).to.include("package/dist/cjs/sdk/index.js");
    expect(files).to.include("package/dist/cjs/sdk/index.d.ts");
    expect(files).to.include("package/dist/cjs/package.json");
  });

  it("test_install_bringsNoBuildToolsAndOneViem", function () {
    const modules = path.join(scratch, "app", "node_modules");
    for (const name of NOT_INSTALLED) expect(existsSync(path.join(modules, name)), name).to.equal(false);
    expect(existsSync(path.join(modules, "ai-token-futures", "node_modules", "viem"))).to.equal(false);
    expect(existsSync(path.join(modules, "viem"))).to.equal(true);
  });

  for (const [kind, file] of [
    ["ESM", "esm.mjs"],
    ["CommonJS", "cjs.cjs"],
  ] as const) {
    it(`test_${kind}Consumer_typeChecksAndRunsAgainstTheLocalChain`, async function () {
      // Asynchronously: the chain's server runs in this process and must keep answering.
      const { stdout: output } = await promisify(execFile)(
        process.execPath,
        [path.join("out", file), rpcUrl, exchange],
        { cwd: path.join(scratch, "app"), encoding: "utf8" },
      );
      const result = JSON.parse(output.trim().split("\n").pop() as string) as {
        orderHash: string;
        onChain: string;
        remaining: string;
        typedData: { domain: { chainId: string }; message: { size: string } };
        decoded: string;
      };
      // The same order hashed by the SDK in this repository.
      const order: Order = {
        trader: "0x00000000000000000000000000000000000000a1",
        marketId: asMarketId(indexIdOf("ATPI-FRONTIER-2027Q1")),
        isBuy: true,
        size: 3n,
        limitPrice: 2n * 10n ** 18n,
        expiry: 4_000_000_000n,
        nonce: 1n,
        salt: 7n,
        flags: 0,
      };
      expect(result.orderHash).to.equal(hashOrder(exchangeDomain(31337n, exchange), order));
      expect(result.orderHash).to.equal(result.onChain);
      expect(result.remaining).to.equal("3");
      expect(result.typedData.domain.chainId).to.equal("31337");
      expect(result.typedData.message.size).to.equal("3");
      expect(result.decoded).to.equal("NoRoundsError");
    });
  }
});
