/**
 * `atf index verify` against the in-process chain: rounds posted with the reporter's logic
 * (`decideReporter` on the pinned genai-prices snapshot, three signed reports, `submit`) verify;
 * a tampered value, tampered published inputs and the wrong data are each named as a mismatch.
 */
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { createPublicClient, custom, type Address, type PublicClient } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import {
  ATPI_FRONTIER_V2_ID,
  ATPI_FRONTIER_V2_SPEC,
  computeRound,
  dateOfTimestamp,
  parseGenaiSnapshot,
  type GenaiRow,
  type Round,
} from "../../../index/index.js";
import { decideReporter } from "../../../keepers/reporter/decide.js";
import { encodePublishedReport } from "../../../keepers/reporter/wire.js";
import { auditRound, readInputs, readPostedRound } from "../../../cli/index-verify.js";
import { run } from "../../../cli/program.js";
import { oracleDomain, signReportWithViem, type OracleDomain } from "../../../sdk/core/eip712/reports.js";

const { ethers, provider, networkHelpers } = await network.create();
const E18 = 10n ** 18n;
const KEYS = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()];
const snapshot: GenaiRow[] = parseGenaiSnapshot(
  readFileSync("index/snapshots/genai-prices-0.1.8.csv", "utf8"),
);

async function deploy() {
  const [admin] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const oracle = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
  await oracle.createIndex(
    ATPI_FRONTIER_V2_ID,
    { quorum: 3, maxAge: 86_400 * 7, minInterval: 60, maxDeviation: E18 / 10n, faultBound: 0 },
    KEYS.map((k) => privateKeyToAccount(k).address),
  );
  const address = (await oracle.getAddress()) as Address;
  return { oracle, address, domain: oracleDomain(31337n, address) };
}

/** The reporters' round for the chain's current hour, with an optional tampered value. */
async function postRound(
  oracle: Awaited<ReturnType<typeof deploy>>["oracle"],
  domain: OracleDomain,
  tamper: (r: Round) => bigint = (r) => r.value,
): Promise<Round> {
  const now = BigInt(await networkHelpers.time.latest());
  const [action] = decideReporter({ rows: snapshot }, now, {
    spec: ATPI_FRONTIER_V2_SPEC,
    periodSeconds: 3600,
  });
  if (action?.type !== "publish") throw new Error("the reporter decided not to publish");
  const { round } = action;
  const report = {
    indexId: round.indexId,
    value: tamper(round),
    observedAt: round.observedAt,
    inputsHash: round.inputsHash,
  };
  const signed = await Promise.all(
    KEYS.map((k) => signReportWithViem(privateKeyToAccount(k), domain, report)),
  );
  await (await oracle.submit(ATPI_FRONTIER_V2_ID, signed)).wait();
  return round;
}

/** A loopback JSON-RPC endpoint in front of the in-process chain, so the CLI reaches it by URL. */
async function rpcBridge(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const call = JSON.parse(body) as { id: number; method: string; params?: unknown[] };
      provider
        .request({ method: call.method, params: call.params ?? [] })
        .then((result: unknown) => ({ jsonrpc: "2.0", id: call.id, result }))
        .catch((e: Error) => ({ jsonrpc: "2.0", id: call.id, error: { code: -32000, message: e.message } }))
        .then((reply) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(reply));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("atf index verify on the in-process chain", function () {
  let client: PublicClient;
  let dir: string;

  before(function () {
    client = createPublicClient({ transport: custom(provider) }) as PublicClient;
    dir = mkdtempSync(join(tmpdir(), "atf-index-verify-"));
  });

  it("aPostedRoundVerifiesFromPublicDataAndFromThePublishedInputs", async function () {
    const { oracle, address, domain } = await networkHelpers.loadFixture(deploy);
    const round = await postRound(oracle, domain);
    const posted = await readPostedRound(client, address, ATPI_FRONTIER_V2_ID);
    expect(posted.roundId).to.equal(1n);
    expect(posted.value).to.equal(round.value);
    expect(posted.inputsHash).to.equal(round.inputsHash);
    // a reporter's published report file, as `--inputs` reads it
    const file = join(dir, "report.json");
    writeFileSync(
      file,
      encodePublishedReport({
        index: round.index,
        signer: privateKeyToAccount(KEYS[0]).address,
        asOf: round.asOf,
        report: {
          indexId: round.indexId,
          value: round.value,
          observedAt: round.observedAt,
          inputsHash: round.inputsHash,
        },
        r: `0x${"11".repeat(32)}`,
        vs: `0x${"22".repeat(32)}`,
        canonicalJson: round.canonicalJson,
      }),
    );
    const audit = auditRound(ATPI_FRONTIER_V2_SPEC, posted, {
      inputsJson: await readInputs(file),
      data: snapshot,
    });
    expect(audit.checks.filter((c) => !c.ok)).to.deep.equal([]);
    expect(audit.match).to.equal(true);
    expect(audit.checks).to.have.length(6);
  });

  it("aTamperedValueIsNamed", async function () {
    const { oracle, address, domain } = await networkHelpers.loadFixture(deploy);
    await postRound(oracle, domain);
    await networkHelpers.time.increase(3600);
    await postRound(oracle, domain, (r) => r.value + 1n);
    const posted = await readPostedRound(client, address, ATPI_FRONTIER_V2_ID, 2n);
    const audit = auditRound(ATPI_FRONTIER_V2_SPEC, posted, { data: snapshot });
    expect(audit.match).to.equal(false);
    expect(audit.checks.filter((c) => !c.ok).map((c) => c.what)).to.deep.equal([
      "value recomputed from public data",
    ]);
    // round 1 still verifies
    expect(
      auditRound(ATPI_FRONTIER_V2_SPEC, await readPostedRound(client, address, ATPI_FRONTIER_V2_ID, 1n), {
        data: snapshot,
      }).match,
    ).to.equal(true);
  });

  it("tamperedPublishedInputsAndOtherDataAreNamedFieldByField", async function () {
    const { oracle, address, domain } = await networkHelpers.loadFixture(deploy);
    const round = await postRound(oracle, domain);
    const posted = await readPostedRound(client, address, ATPI_FRONTIER_V2_ID);
    // published inputs with kimi-k3's output price changed from 15 to 16
    const tampered = round.canonicalJson.replace(
      '"output":"15000000000000000000"',
      '"output":"16000000000000000000"',
    );
    expect(tampered).to.not.equal(round.canonicalJson);
    const audit = auditRound(ATPI_FRONTIER_V2_SPEC, posted, { inputsJson: tampered, data: snapshot });
    const failed = audit.checks.filter((c) => !c.ok).map((c) => c.what);
    expect(failed).to.deep.equal([
      "published inputs hash to the posted inputsHash",
      "value recomputed from the published inputs",
      "published inputs at $.constituents[4].output",
    ]);
    // data where gpt-6-astra is cheaper than what the reporters used
    const other = snapshot.map((r) => (r.model === "gpt-6-astra" ? { ...r, input: r.input / 2n } : r));
    const wrongData = auditRound(ATPI_FRONTIER_V2_SPEC, posted, { data: other });
    expect(wrongData.checks.filter((c) => !c.ok).map((c) => c.what)).to.deep.equal([
      "value recomputed from public data",
      "inputsHash recomputed from public data",
    ]);
  });

  it("theCommand_printsMatchForAnHonestRoundAndMismatchForATamperedOne", async function () {
    const { oracle, address, domain } = await networkHelpers.loadFixture(deploy);
    await postRound(oracle, domain);
    await networkHelpers.time.increase(3600);
    await postRound(oracle, domain, (r) => r.value - 1n);
    const { url, server } = await rpcBridge();
    try {
      const atf = async (...argv: string[]) => {
        const out: string[] = [];
        const code = await run(
          ["--rpc-url", url, "index", "verify", "ATPI-FRONTIER-V2", "--oracle", address, ...argv],
          { out: (l) => out.push(l), err: (l) => out.push(l), env: {} },
        );
        return { code, text: out.join("\n") };
      };
      // the reporter's published report for round 1, served as a reporter serves it
      const { observedAt } = await readPostedRound(client, address, ATPI_FRONTIER_V2_ID, 1n);
      const round1 = computeRound(ATPI_FRONTIER_V2_SPEC, snapshot, dateOfTimestamp(observedAt), {
        observedAt,
      });
      const reportServer = createServer((_req, res) =>
        res.end(JSON.stringify({ canonicalJson: round1.canonicalJson })),
      );
      await new Promise<void>((resolve) => reportServer.listen(0, "127.0.0.1", resolve));
      const reportUrl = `http://127.0.0.1:${(reportServer.address() as AddressInfo).port}/report/ATPI-FRONTIER-V2`;
      const honest = await atf(
        "--round",
        "1",
        "--prices",
        "index/snapshots/genai-prices-0.1.8.csv",
        "--inputs",
        reportUrl,
      );
      reportServer.close();
      expect(honest.text).to.contain("ok   published inputs hash to the posted inputsHash");
      expect(honest.code, honest.text).to.equal(0);
      expect(honest.text).to.match(/^ATPI-FRONTIER-V2 round 1 \(block \d+\): value 7\.3221875,/);
      expect(honest.text.split("\n").pop()).to.equal("match");
      const tampered = await atf("--prices", "index/snapshots/genai-prices-0.1.8.csv");
      expect(tampered.code).to.equal(1);
      expect(tampered.text).to.contain("round 2");
      expect(tampered.text).to.contain("DIFF value recomputed from public data: recomputed 7.3221875");
      expect(tampered.text).to.contain("MISMATCH: 1 check(s) differ");
      expect(tampered.text).to.contain("error: ATPI-FRONTIER-V2 round 2 does not verify");
      const missing = await atf("--round", "9");
      expect(missing.code).to.equal(1);
      expect(missing.text).to.contain("no round 9 posted");
    } finally {
      server.close();
    }
  });

  it("theCommandRefusesBadInputWithExitCode2", async function () {
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l), env: {} };
    expect(await run(["index", "verify", "NOPE", "--oracle", `0x${"00".repeat(20)}`], io)).to.equal(2);
    expect(
      await run(
        ["index", "verify", "ATPI-FRONTIER-V2", "--round", "0", "--oracle", `0x${"00".repeat(20)}`],
        io,
      ),
    ).to.equal(2);
    expect(
      await run(
        ["index", "verify", "ATPI-FRONTIER-V2", "--source", "x.csv", "--oracle", `0x${"00".repeat(20)}`],
        io,
      ),
    ).to.equal(2);
    expect(lines.join("\n")).to.match(/unknown index "NOPE"[\s\S]*--round[\s\S]*--source is for CSV indices/);
  });
});
