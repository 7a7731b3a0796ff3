/**
 * The newcomer path (issue 16): the README's commands on a fresh clone with nothing generated, a
 * complete lock file, a clear stop on an old Node, and no library warning shown to users. The
 * fresh-clone run itself is `.ci/run`; these check the pieces it relies on.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
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
