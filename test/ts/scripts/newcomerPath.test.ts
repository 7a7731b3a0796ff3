/**
 * The newcomer path (issue 16): the README's commands on a fresh clone with nothing generated, a
 * complete lock file, a clear stop on an old Node, and no library warning shown to users. The
 * fresh-clone run itself is `.ci/run`; these check the pieces it relies on.
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "chai";

import { isLibraryTransientStorageWarning } from "../../../hardhat.config.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const require = createRequire(import.meta.url);
const checkNode = require(path.join(ROOT, "scripts", "check-node.cjs")) as {
  isSupported(v: string): boolean;
  message(v: string): string;
};
const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  bin?: unknown;
};
const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<
    string,
    {
      version?: string;
      optionalDependencies?: Record<string, string>;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      bin?: unknown;
      engines?: unknown;
    }
  >;
};

/** What `npm ci` would add for one platform, resolved by npm itself from a copy of the lock. */
interface InstallPlan {
  status: number;
  stderr: string;
  /** Package name to version, from npm's `add <name> <version>` lines. */
  added: Map<string, string>;
}

/**
 * The npm that runs the tests (`npm_execpath`, set by npm and npx) under this Node, or `npm` on
 * PATH; this Node, not the machine's, so the copied `.npmrc`'s `engine-strict` sees Node 22.
 */
function npmCommand(args: string[]): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath !== undefined && /np[mx]-cli\.js$/.test(execPath)) {
    return [process.execPath, [path.join(path.dirname(execPath), "npm-cli.js"), ...args]];
  }
  return ["npm", args];
}

/**
 * Runs `npm ci --dry-run --offline --ignore-scripts` for one os/cpu in `dir` (which holds copies
 * of package.json, package-lock.json and .npmrc). Nothing is downloaded: npm resolves the lock
 * against its cache only.
 */
function installPlan(dir: string, platform: { os: string; cpu: string }): Promise<InstallPlan> {
  const args = [
    "ci",
    "--dry-run",
    "--offline",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    `--os=${platform.os}`,
    `--cpu=${platform.cpu}`,
    // Linux binaries come in glibc and musl builds; the project's Linux is glibc.
    ...(platform.os === "linux" ? ["--libc=glibc"] : []),
  ];
  const [file, fileArgs] = npmCommand(args);
  return new Promise((resolve, reject) => {
    execFile(
      file,
      fileArgs,
      { cwd: dir, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") {
          reject(error);
          return;
        }
        const added = new Map<string, string>();
        for (const match of stdout.matchAll(/^add (\S+) (\S+)$/gm)) added.set(match[1], match[2]);
        resolve({ status: error === null ? 0 : (error.code as number), stderr, added });
      },
    );
  });
}

/** A scratch directory holding copies of package.json and .npmrc, and the given lock file text. */
function scratchProject(lockJson: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "atf-lock-"));
  copyFileSync(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  copyFileSync(path.join(ROOT, ".npmrc"), path.join(dir, ".npmrc"));
  writeFileSync(path.join(dir, "package-lock.json"), lockJson);
  return dir;
}

/**
 * The native packages the project needs on each platform: the Hardhat simulator (EDR), esbuild
 * (tsx), and the app build's bundler (rolldown) and CSS compiler (lightningcss). Each family is
 * keyed by its parent package in the lock and the prefix its platform packages share.
 */
const NATIVE_FAMILIES = [
  { parent: "@nomicfoundation/edr", prefix: "@nomicfoundation/edr-" },
  { parent: "esbuild", prefix: "@esbuild/" },
  { parent: "rolldown", prefix: "@rolldown/binding-" },
  { parent: "lightningcss", prefix: "lightningcss-" },
] as const;

const PLATFORMS = [
  { os: "darwin", cpu: "arm64", suffix: { default: "darwin-arm64" } },
  { os: "darwin", cpu: "x64", suffix: { default: "darwin-x64" } },
  { os: "linux", cpu: "x64", suffix: { default: "linux-x64-gnu", "@esbuild/": "linux-x64" } },
  { os: "linux", cpu: "arm64", suffix: { default: "linux-arm64-gnu", "@esbuild/": "linux-arm64" } },
] as const;

/** npm's first error lines (its code and reason), without the usage text that follows them. */
function npmErrors(plan: InstallPlan): string {
  const lines = plan.stderr.split("\n").filter((line) => /^npm error \S/.test(line));
  return lines.slice(0, 4).join("\n");
}

/** Fails with the fix when npm's cache lacks a document the resolver reads. */
function expectResolvedOffline(plan: InstallPlan, what: string): void {
  // The lock's one peer conflict (valtio's use-sync-external-store@1.2.0 wants react < 19) makes
  // npm read react's registry document; any `npm install` or `npm ci` of this lock caches it.
  expect(
    plan.stderr,
    `${what}: npm's cache lacks a registry document; run \`npm install\` once`,
  ).to.not.contain("ENOTCACHED");
}

describe("newcomer path", function () {
  it("test_readmeCommands_generateWhatTheyImportFirst", function () {
    for (const script of ["demo", "start", "test", "atf", "keepers", "build", "test:ts"]) {
      expect(manifest.scripts[script], script).to.match(/^node scripts\/codegen\.mjs( --if-stale)? && /);
    }
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const ci = readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    // CI runs both README commands exactly as written, demo first.
    for (const command of ["npm install && npm run demo", "npm install && npm test"]) {
      expect(readme, command).to.contain(command);
      expect(ci, command).to.match(new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
    }
    expect(ci.indexOf("npm install && npm run demo")).to.be.lessThan(ci.indexOf("npm install && npm test"));
  });

  it("test_lockFile_listsEveryPlatformsSimulatorAndMatchesTheManifest", function () {
    const root = lock.packages[""];
    expect(root.bin).to.equal(manifest.bin);
    expect(root.dependencies).to.deep.equal(manifest.dependencies);
    expect(root.devDependencies).to.deep.equal(manifest.devDependencies);
    expect(root.peerDependencies).to.deep.equal(manifest.peerDependencies);
    expect(root.engines).to.deep.equal(manifest.engines);
    // Every platform package of the simulator and of esbuild is locked, not only this machine's.
    for (const parent of ["node_modules/@nomicfoundation/edr", "node_modules/esbuild"]) {
      const optional = Object.keys(lock.packages[parent].optionalDependencies ?? {});
      expect(optional.length, parent).to.be.greaterThan(3);
      for (const name of optional) {
        expect(lock.packages[`node_modules/${name}`], name).to.not.equal(undefined);
      }
    }
    for (const platform of ["linux-x64-gnu", "linux-arm64-gnu", "darwin-x64", "darwin-arm64"]) {
      expect(lock.packages[`node_modules/@nomicfoundation/edr-${platform}`], platform).to.not.equal(
        undefined,
      );
    }
  });

  it("test_npmCi_resolvesTheLockForMacOsAndLinux", async function () {
    this.timeout(600_000);
    const dir = scratchProject(readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
    try {
      for (const platform of PLATFORMS) {
        const name = `${platform.os}-${platform.cpu}`;
        const plan = await installPlan(dir, platform);
        expectResolvedOffline(plan, name);
        expect(plan.status, `${name}: ${npmErrors(plan)}`).to.equal(0);
        for (const family of NATIVE_FAMILIES) {
          const parent = lock.packages[`node_modules/${family.parent}`];
          expect(parent, family.parent).to.not.equal(undefined);
          expect(plan.added.get(family.parent), `${name}: ${family.parent}`).to.equal(parent.version);
          const suffix =
            (platform.suffix as Record<string, string>)[family.prefix] ?? platform.suffix.default;
          const wanted = `${family.prefix}${suffix}`;
          // The platform's package at the version its parent asks for, and no other platform's.
          expect(parent.optionalDependencies, `${family.parent}'s platform packages`).to.have.property(
            wanted,
          );
          expect(plan.added.get(wanted), `${name}: ${wanted}`).to.equal(
            parent.optionalDependencies?.[wanted],
          );
          const planned = [...plan.added.keys()].filter((pkg) => pkg in (parent.optionalDependencies ?? {}));
          expect(planned, `${name}: ${family.parent}'s platform packages`).to.deep.equal([wanted]);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("test_npmCi_withoutTheMacArmSimulatorInTheLock_failsOrPlansWithoutIt", async function () {
    this.timeout(300_000);
    const simulator = "@nomicfoundation/edr-darwin-arm64";
    const darwinArm = { os: "darwin", cpu: "arm64" };
    // The entry removed: npm ci refuses the lock and names the missing package.
    const entryless = structuredClone(lock);
    delete entryless.packages[`node_modules/${simulator}`];
    // The entry and the simulator's reference to it removed: npm ci accepts the lock, and the plan
    // for a Mac on Apple silicon has no simulator binary, which the check above would catch.
    const unreferenced = structuredClone(entryless);
    delete unreferenced.packages["node_modules/@nomicfoundation/edr"].optionalDependencies?.[simulator];
    for (const [broken, refused] of [
      [entryless, true],
      [unreferenced, false],
    ] as const) {
      const dir = scratchProject(JSON.stringify(broken, null, 2));
      try {
        const plan = await installPlan(dir, darwinArm);
        expectResolvedOffline(plan, "darwin-arm64");
        expect(plan.added.has(simulator)).to.equal(false);
        if (refused) {
          expect(plan.status).to.not.equal(0);
          expect(plan.stderr).to.contain(`Missing: ${simulator}@`).and.contain("from lock file");
        } else {
          expect(plan.status, npmErrors(plan)).to.equal(0);
          expect(plan.added.get("@nomicfoundation/edr")).to.equal(
            lock.packages["node_modules/@nomicfoundation/edr"].version,
          );
          expect(
            [...plan.added.keys()].filter((pkg) => pkg.startsWith("@nomicfoundation/edr-")),
          ).to.deep.equal([]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("test_oldNode_stopsAtOnceWithOneLine", function () {
    expect(readFileSync(path.join(ROOT, ".npmrc"), "utf8")).to.match(/^engine-strict=true$/m);
    expect(manifest.engines.node).to.equal(">=22.13.0");
    expect(checkNode.isSupported("22.13.0")).to.equal(true);
    expect(checkNode.isSupported("v22.23.3")).to.equal(true);
    expect(checkNode.isSupported("23.0.0")).to.equal(true);
    expect(checkNode.isSupported("22.12.9")).to.equal(false);
    expect(checkNode.isSupported("v20.20.2")).to.equal(false);
    const line = checkNode.message("v20.20.2");
    expect(line).to.not.contain("\n");
    expect(line).to.contain("Node.js >= 22.13.0").and.contain("v20.20.2").and.contain(".nvmrc");
    // This Node passes; the script then prints nothing.
    const ok = spawnSync(process.execPath, [path.join(ROOT, "scripts", "check-node.cjs")], {
      encoding: "utf8",
    });
    expect(ok.status).to.equal(0);
    expect(ok.stdout + ok.stderr).to.equal("");
  });

  it("test_compilerWarning_hidesOnlyTransientStorageInOpenZeppelin", function () {
    const warning = (file: string, errorCode = "2394", severity = "warning") => ({
      severity,
      errorCode,
      message: "Transient storage as defined by EIP-1153 can break the composability of smart contracts",
      formattedMessage: `Warning: Transient storage as defined by EIP-1153 …\n   --> ${file}:108:13:\n`,
    });
    expect(
      isLibraryTransientStorageWarning(
        warning("./node_modules/@openzeppelin/contracts/utils/TransientSlot.sol"),
      ),
    ).to.equal(true);
    expect(
      isLibraryTransientStorageWarning(warning("npm/@openzeppelin/contracts@5.4.0/utils/TransientSlot.sol")),
    ).to.equal(true);
    // The same warning on a project file, another warning in the library, and errors stay visible.
    expect(isLibraryTransientStorageWarning(warning("contracts/Exchange.sol"))).to.equal(false);
    expect(
      isLibraryTransientStorageWarning(
        warning("./node_modules/@openzeppelin/contracts/utils/Foo.sol", "5667"),
      ),
    ).to.equal(false);
    expect(
      isLibraryTransientStorageWarning(
        warning("./node_modules/@openzeppelin/contracts/utils/TransientSlot.sol", "2394", "error"),
      ),
    ).to.equal(false);
  });
});
