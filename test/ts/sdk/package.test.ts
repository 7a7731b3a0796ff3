import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { expect } from "chai";
import { encodeErrorResult } from "viem";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The built package, imported by name (`ai-token-futures/sdk`, resolved through package.json
 * `exports` to `dist/sdk/index.js`). `before` builds it with `tsc -p tsconfig.build.json`, so this
 * works on a fresh clone once `hardhat compile` and `gen:abi` have run (as `npm test` does).
 */
describe("sdk package (built output)", function () {
  this.timeout(180_000);

  before(function () {
    execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], {
      cwd: ROOT,
      stdio: "inherit",
    });
  });

  it("test_package_sdkEntryResolvesToDistWithCoreViemAndAbis", async function () {
    const specifier: string = "ai-token-futures/sdk";
    const sdk = await import(specifier);
    expect(fileURLToPath(import.meta.resolve(specifier))).to.equal(`${ROOT}dist/sdk/index.js`);
    for (const name of [
      "readLatest",
      "submitReports",
      "fillOrder",
      "matchOrders",
      "decodeContractError",
      "twap",
    ]) {
      expect(typeof sdk[name], name).to.equal("function");
    }
    expect(sdk.indexOracleAbi.some((i: { name?: string }) => i.name === "submit")).to.equal(true);
    expect(sdk.indexIdOf("ATPI-FRONTIER")).to.match(/^0x[0-9a-f]{64}$/);
    const id = sdk.indexIdOf("x");
    const error = sdk.decodeErrorData(
      encodeErrorResult({ abi: sdk.indexOracleAbi, errorName: "NoRounds", args: [id] }),
    );
    expect(error).to.be.instanceOf(sdk.NoRoundsError);
    expect(error).to.be.instanceOf(sdk.SdkError);
    expect(error.args.indexId).to.equal(id);
  });

  it("test_package_ethersEntryExportsFactoriesAndSigners", async function () {
    const specifier: string = "ai-token-futures/sdk/ethers";
    const ethersSdk = await import(specifier);
    expect(typeof ethersSdk.IndexOracle__factory.createInterface).to.equal("function");
    expect(typeof ethersSdk.Exchange__factory.createInterface).to.equal("function");
    expect(typeof ethersSdk.signOrder).to.equal("function");
    expect(typeof ethersSdk.signReport).to.equal("function");
  });

  it("test_package_declarationsAreEmitted", async function () {
    const { existsSync } = await import("node:fs");
    expect(existsSync(`${ROOT}dist/sdk/index.d.ts`)).to.equal(true);
    expect(existsSync(`${ROOT}dist/sdk/ethers.d.ts`)).to.equal(true);
  });
});
