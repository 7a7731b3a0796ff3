/** `--deployment <file|network>`: the keepers read the contract addresses from the address book. */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { runCli, type CliIo } from "../../../keepers/cli.js";
import { matcherConfigSchema, reporterConfigSchema, settlerConfigSchema } from "../../../keepers/configs.js";
import { loadConfig } from "../../../keepers/shell/config.js";
import { configErrorOf } from "./fixtures.js";

const BOOK = {
  chainId: 31337,
  indexOracle: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  exchange: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  clearinghouse: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
};

function booksDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "keepers-book-")), "deployments");
  mkdirSync(dir);
  writeFileSync(join(dir, "localhost.json"), JSON.stringify(BOOK));
  writeFileSync(join(dir, "broken.json"), JSON.stringify({ exchange: "0x12" }));
  return dir;
}

describe("keepers: --deployment address book", function () {
  it("fills the addresses (and the reporter's chain id) by network name or by file; flags still win", function () {
    const dir = booksDir();
    const byName = loadConfig(settlerConfigSchema, {
      deployment: "localhost",
      deploymentsDir: dir,
      env: {},
      flags: { dryRun: true, rpcUrl: "http://127.0.0.1:8545" },
    });
    expect(byName.clearinghouseAddress).to.equal(BOOK.clearinghouse);
    const byFile = loadConfig(matcherConfigSchema, {
      env: { KEEPER_DEPLOYMENT: join(dir, "localhost.json") },
      flags: { dryRun: true, rpcUrl: "http://127.0.0.1:8545", ordersFile: "o.json" },
    });
    expect(byFile.exchangeAddress).to.equal(BOOK.exchange);
    const reporter = loadConfig(reporterConfigSchema, {
      deployment: join(dir, "localhost.json"),
      env: {},
      flags: {
        dryRun: true,
        indexName: "ATPI-FRONTIER",
        source: "p.csv",
        oracleAddress: "0x0000000000000000000000000000000000000001",
      },
    });
    expect(reporter.chainId).to.equal(31337);
    expect(reporter.oracleAddress).to.equal("0x0000000000000000000000000000000000000001");
  });

  it("names a missing network, a missing file and a malformed book", function () {
    const dir = booksDir();
    const load = (deployment: string) => () =>
      loadConfig(settlerConfigSchema, { deployment, deploymentsDir: dir, env: {}, flags: { dryRun: true } });
    expect(configErrorOf(load("sepolia")).issues).to.deep.equal([
      `deployment: no address book for network "sepolia" (${join(dir, "sepolia.json")} does not exist)`,
    ]);
    expect(configErrorOf(load("/nope/x.json")).issues).to.deep.equal([
      "deployment: /nope/x.json does not exist",
    ]);
    expect(configErrorOf(load("broken")).issues[0]).to.match(
      /^deployment .*broken\.json: Invalid address book/,
    );
  });

  it("through the command line: the book replaces --clearinghouse-address", async function () {
    const dir = booksDir();
    let stderr = "";
    const io: CliIo = { env: {}, stderr: (t) => void (stderr += t), exit: { code: 0 } };
    const code = await runCli(
      [
        "node",
        "keepers",
        "settler",
        "--deployment",
        join(dir, "localhost.json"),
        "--dry-run",
        "--rpc-url",
        "http://127.0.0.1:9",
        "--retry-attempts",
        "1",
      ],
      io,
    );
    // the configuration was complete: the start stopped at the (dead) RPC, not at a missing address
    expect(code).to.equal(2);
    expect(stderr).to.match(/^cannot reach the JSON-RPC endpoint/);
  });
});
