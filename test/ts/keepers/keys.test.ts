/**
 * Keys as operators keep them: an encrypted keystore (written by ethers, decrypted by the keepers), a
 * remote signer over JSON-RPC (a tiny signer server on loopback, signing with a key the keeper never
 * sees; its transaction is mined on the in-process chain), a report-signing key apart from the gas
 * key, and no private key accepted on the command line.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { encryptKeystoreJsonSync } from "ethers";
import { network } from "hardhat";
import { parseTransaction, recoverTypedDataAddress, type Hex, type TransactionSerializable } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { runReporter } from "../../../keepers/app.js";
import { runCli, type CliIo } from "../../../keepers/cli.js";
import { reporterConfigSchema, settlerConfigSchema } from "../../../keepers/configs.js";
import { ManualClock } from "../../../keepers/shell/clock.js";
import { loadConfig } from "../../../keepers/shell/config.js";
import {
  accountOf,
  decryptKeystore,
  KeyError,
  keystoreAccount,
  remoteSignerAccount,
} from "../../../keepers/shell/keys.js";
import { TxSender } from "../../../keepers/shell/sender.js";
import {
  oracleDomain,
  REPORT_TYPES,
  signReportWithViem,
  toSignature,
} from "../../../sdk/core/eip712/reports.js";
import { redateCsv } from "../../../scripts/lib/stack.js";
import { makeShell, SENDER_OPTIONS, silentLogger } from "./helpers.js";

const { ethers, provider, networkHelpers } = await network.create();

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "keepers-keys-"));
}

/** A JSON-RPC signer on loopback for `key`: `eth_signTransaction` and `eth_signTypedData_v4`. */
async function signerServer(key: Hex): Promise<{ url: string; server: Server; calls: string[] }> {
  const account = privateKeyToAccount(key);
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      calls.push(method);
      const reply = async (): Promise<unknown> => {
        if (method === "eth_signTransaction") {
          const t = params[0] as Record<string, string>;
          const tx: TransactionSerializable = {
            type: "eip1559",
            to: t.to as Hex,
            data: t.data as Hex,
            gas: BigInt(t.gas),
            value: BigInt(t.value),
            nonce: Number(t.nonce),
            chainId: Number(t.chainId),
            maxFeePerGas: BigInt(t.maxFeePerGas),
            maxPriorityFeePerGas: BigInt(t.maxPriorityFeePerGas),
          };
          return account.signTransaction(tx);
        }
        if (method === "eth_signTypedData_v4") {
          const typed = JSON.parse(params[1] as string) as Parameters<typeof account.signTypedData>[0];
          return account.signTypedData(typed);
        }
        throw new Error(`method ${method} not supported`);
      };
      reply().then(
        (result) => res.end(JSON.stringify({ jsonrpc: "2.0", id, result })),
        (e: Error) =>
          res.end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32601, message: e.message } })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, calls };
}

describe("keepers: keys", function () {
  it("decrypts a keystore ethers wrote; the password from a file or a prompt; a wrong one is refused", async function () {
    const key = generatePrivateKey();
    const address = privateKeyToAccount(key).address;
    const dir = tmp();
    const file = join(dir, "keystore.json");
    // a small scrypt cost keeps the test fast; the format is the one geth and ethers write
    writeFileSync(
      file,
      encryptKeystoreJsonSync({ address, privateKey: key }, "correct horse", { scrypt: { N: 1024 } }),
    );
    writeFileSync(join(dir, "password"), "correct horse\n");
    expect((await keystoreAccount(file, join(dir, "password"))).address).to.equal(address);
    const asked: string[] = [];
    const prompted = await keystoreAccount(file, undefined, async (q) => {
      asked.push(q);
      return "correct horse";
    });
    expect(prompted.address).to.equal(address);
    expect(asked).to.deep.equal([`password of ${file}: `]);
    writeFileSync(join(dir, "wrong"), "battery staple\n");
    const error = await keystoreAccount(file, join(dir, "wrong")).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(KeyError);
    expect((error as Error).message).to.equal(`${file}: keystore: wrong password (MAC mismatch)`);
    expect(() => decryptKeystore("{}", "x")).to.throw(KeyError, "not a version 3 keystore");
  });

  it("a remote signer signs transactions (mined on the chain) and typed data over JSON-RPC", async function () {
    const key = generatePrivateKey();
    const local = privateKeyToAccount(key);
    const signer = await signerServer(key);
    try {
      const remote = remoteSignerAccount(signer.url, local.address);
      // a transaction through the keepers' sender, signed remotely, mined in-process
      const clock = new ManualClock(0);
      const shell = makeShell(provider, clock);
      await networkHelpers.setBalance(local.address, 10n ** 20n);
      const venue = await ethers.deployContract("MockClearinghouseVenue");
      const sender = new TxSender({
        client: shell.client,
        account: remote,
        chainId: 31337,
        jobs: shell.jobs,
        clock,
        log: silentLogger(),
        metrics: shell.metrics,
        options: SENDER_OPTIONS,
      });
      const result = await sender.execute("test/remote/1", {
        address: (await venue.getAddress()) as Hex,
        abi: JSON.parse(venue.interface.formatJson()) as never,
        functionName: "setPosition",
        args: [local.address, `0x${"11".repeat(32)}`, 5n],
      });
      expect(result.status).to.equal("confirmed");
      expect(parseTransaction(shell.provider.rawTransactions[0] as Hex).chainId).to.equal(31337);
      // a report signed remotely recovers to the signer's address
      const domain = oracleDomain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
      const report = {
        indexId: `0x${"ab".repeat(32)}` as Hex,
        value: 12n * 10n ** 18n,
        observedAt: 1_700_000_000n,
        inputsHash: `0x${"cd".repeat(32)}` as Hex,
      };
      const signed = await signReportWithViem(remote, domain, report);
      const recovered = await recoverTypedDataAddress({
        domain,
        types: REPORT_TYPES,
        primaryType: "Report",
        message: report,
        signature: toSignature(signed),
      });
      expect(recovered).to.equal(local.address);
      expect(signer.calls).to.deep.equal(["eth_signTransaction", "eth_signTypedData_v4"]);
    } finally {
      signer.server.close();
    }
  });

  it("refuses a private key on the command line; keys from the environment, a keystore or a remote signer", async function () {
    let stderr = "";
    const io: CliIo = { env: {}, stderr: (t) => void (stderr += t), exit: { code: 0 } };
    const key = generatePrivateKey();
    const code = await runCli(
      ["node", "keepers", "settler", "--private-key", key, "--rpc-url", "http://127.0.0.1:9"],
      io,
    );
    expect(code).to.equal(2);
    expect(stderr).to.equal(
      "a private key on the command line shows in the process list: use KEEPER_PRIVATE_KEY, --keystore or --remote-signer\n",
    );
    expect(stderr).not.to.contain(key.slice(2));
    const base = {
      rpcUrl: "http://127.0.0.1:8545",
      clearinghouseAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    };
    expect(
      loadConfig(settlerConfigSchema, { env: { KEEPER_PRIVATE_KEY: key }, flags: base }).privateKey,
    ).to.equal(key);
    expect(
      loadConfig(settlerConfigSchema, { env: {}, flags: { ...base, keystore: "k.json" } }).keystore,
    ).to.equal("k.json");
    expect(() =>
      loadConfig(settlerConfigSchema, { env: {}, flags: { ...base, remoteSigner: "http://127.0.0.1:1" } }),
    ).to.throw(/signerAddress .*required with remoteSigner/);
    await accountOf({ privateKey: key, keystore: "k.json" }).then(
      () => expect.fail("accepted two key sources"),
      (e: Error) =>
        expect(e.message).to.equal("give one key source: the environment key, --keystore or --remote-signer"),
    );
  });

  it("a running reporter signs its reports with the report-signing key, not the keeper's key", async function () {
    const gas = generatePrivateKey();
    const reports = generatePrivateKey();
    const dir = tmp();
    const csv = join(dir, "prices.csv");
    const today = new Date().toISOString().slice(0, 10);
    writeFileSync(csv, redateCsv(readFileSync("index/fixtures/h100-quotes.csv", "utf8"), today).text);
    const config = loadConfig(reporterConfigSchema, {
      env: { KEEPER_PRIVATE_KEY: gas, KEEPER_REPORT_SIGNING_KEY: reports },
      flags: {
        indexName: "GPU-H100",
        source: csv,
        oracleAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        chainId: "31337",
        reportDir: join(dir, "reports"),
        httpPort: "0",
        logLevel: "silent",
        periodSeconds: "3600",
      },
    });
    const controller = new AbortController();
    const running = runReporter(config, { signal: controller.signal });
    const file = join(
      dir,
      "reports",
      "GPU-H100",
      `${privateKeyToAccount(reports).address.toLowerCase()}.json`,
    );
    try {
      for (let i = 0; i < 200 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(file), "no report signed with the report key").to.equal(true);
      const published = JSON.parse(readFileSync(file, "utf8")) as { signer: string };
      expect(published.signer).to.equal(privateKeyToAccount(reports).address);
      expect(
        existsSync(
          join(dir, "reports", "GPU-H100", `${privateKeyToAccount(gas).address.toLowerCase()}.json`),
        ),
      ).to.equal(false);
    } finally {
      controller.abort();
      await running;
    }
  });

  it("a reporter's report-signing key can differ from the keeper's key", function () {
    const gas = generatePrivateKey();
    const reports = generatePrivateKey();
    const config = loadConfig(reporterConfigSchema, {
      env: { KEEPER_PRIVATE_KEY: gas, KEEPER_REPORT_SIGNING_KEY: reports },
      flags: {
        indexName: "ATPI-FRONTIER",
        source: "p.csv",
        oracleAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        chainId: "31337",
      },
    });
    expect(config.reportSigningKey).to.equal(reports);
    expect(config.privateKey).to.equal(gas);
  });
});
