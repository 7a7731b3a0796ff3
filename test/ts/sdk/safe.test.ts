/**
 * Orders signed as a Safe (EIP-1271) with a real Safe 1.4.1: the singleton, proxy factory and
 * `CompatibilityFallbackHandler` deployed from the npm `@safe-global/safe-contracts` artifacts, a 2-of-3
 * Safe as maker (owners sign the Safe message hash through the SDK's helpers, or the Safe approves the
 * order on chain through `SignMessageLib` and trades with an empty signature) and as taker (a Safe
 * transaction calling `fillOrder`).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { encodeFunctionData, getAddress, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import {
  InvalidArgumentError,
  InvalidContractSignatureError,
  SAFE_ON_CHAIN_SIGNATURE,
  SafeOperation,
  SdkError,
  UnknownContractError,
  buildOrder,
  encodeSafeSignatures,
  exchangeAbi,
  exchangeDomain,
  executeSafeTransaction,
  fillOrder,
  hashOrder,
  indexIdOf,
  matchOrders,
  prepareSafeOrderApproval,
  readFilled,
  readSafeOrderApproval,
  safeMessageHash,
  safeMessageTypedData,
  safeOrderApprovalTransaction,
  safeTransactionArgs,
  signMessageLibAbi,
  signOrder,
  type Order,
  type PrepareSafeOrderApprovalReturnType,
} from "../../../sdk/index.js";
import { SAFE_SINGLETON, deploySafe, safeArtifact } from "../helpers/safeDeploy.js";

const SAFE = SAFE_SINGLETON;
const HANDLER = safeArtifact("handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler");
const SIGN_MESSAGE_LIB = safeArtifact("libraries/SignMessageLib.sol/SignMessageLib");

const { viem, networkHelpers } = await network.create();
const E18 = 10n ** 18n;
const MARKET = indexIdOf("ATPI-FRONTIER-2027Q1");
/** Three owner keys (fixed, public test keys); the Safe needs two. */
const OWNERS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
].map((k) => privateKeyToAccount(k as Hex));

async function deploy() {
  const publicClient = await viem.getPublicClient();
  const [admin, taker, maker] = await viem.getWalletClients();
  const {
    safe,
    handler,
    deploy: deployRaw,
  } = await deploySafe(publicClient, admin, {
    owners: OWNERS.map((o) => o.address),
    threshold: 2n,
  });
  const signMessageLib = await deployRaw(SIGN_MESSAGE_LIB);
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const venue = await viem.deployContract("MockClearinghouseVenue");
  const exchange = await viem.deployContract("Exchange", [venue.address, manager.address]);
  const chainId = BigInt(await publicClient.getChainId());
  return {
    publicClient,
    admin,
    taker,
    maker,
    safe,
    handler,
    signMessageLib,
    exchange,
    address: exchange.address as Address,
    chainId,
  };
}

function order(trader: Address, isBuy: boolean, now: bigint, salt: bigint): Order {
  return buildOrder(
    { trader, marketId: MARKET, isBuy, size: 10n, limitPrice: 2n * E18, nonce: salt, salt },
    now,
  );
}

/** The 2-of-3 Safe signature of `orderHash` by owners `who`. */
async function safeSignature(safe: Address, chainId: bigint, orderHash: Hex, who = [2, 0]) {
  const typed = safeMessageTypedData(safe, chainId, orderHash);
  return encodeSafeSignatures(
    await Promise.all(
      who.map(async (i) => ({ owner: OWNERS[i].address, signature: await OWNERS[i].signTypedData(typed) })),
    ),
  );
}

describe("sdk Safe (EIP-1271) signing with a real Safe 1.4.1", function () {
  it("test_safeMessageHash_equalsTheFallbackHandlers", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), order(f.safe, false, 1_000n, 1n));
    const onChain = await f.publicClient.readContract({
      address: f.safe,
      abi: HANDLER.abi,
      functionName: "getMessageHashForSafe",
      args: [f.safe, orderHash],
    });
    expect(safeMessageHash(f.safe, f.chainId, orderHash)).to.equal(onChain);
  });

  it("test_safeAsMaker_ownersSignTheOrderAndATakerFillsIt", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const now = BigInt(await networkHelpers.time.latest());
    const o = order(f.safe, false, now, 2n);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), o);
    // One owner is below the threshold: the Safe refuses and so does the Exchange.
    const one = await safeSignature(f.safe, f.chainId, orderHash, [1]);
    let refused: unknown;
    try {
      await fillOrder(f.taker, { address: f.address, order: o, signature: one, fillSize: 1n });
    } catch (e) {
      refused = e;
    }
    expect(refused).to.be.instanceOf(SdkError);
    const signature = await safeSignature(f.safe, f.chainId, orderHash);
    const { hash } = await fillOrder(f.taker, { address: f.address, order: o, signature, fillSize: 4n });
    expect((await f.publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
    const [state] = await readFilled(f.publicClient, { address: f.address, orders: [o] });
    expect(state.filled).to.equal(4n);
  });

  it("test_safeAsTaker_aSafeTransactionFillsAnEoaOrder", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const now = BigInt(await networkHelpers.time.latest());
    const signed = await signOrder(f.maker, {
      address: f.address,
      order: order(f.maker.account.address, true, now, 3n),
    });
    const data = encodeFunctionData({
      abi: exchangeAbi,
      functionName: "fillOrder",
      args: [signed.order, signed.signature, 3n],
    });
    const nonce = (await f.publicClient.readContract({
      address: f.safe,
      abi: SAFE.abi,
      functionName: "nonce",
    })) as bigint;
    const tx = [f.address, 0n, data, 0, 0n, 0n, 0n, zeroAddress, zeroAddress] as const;
    const safeTxHash = (await f.publicClient.readContract({
      address: f.safe,
      abi: SAFE.abi,
      functionName: "getTransactionHash",
      args: [...tx, nonce],
    })) as Hex;
    const signatures = encodeSafeSignatures(
      await Promise.all(
        [0, 1].map(async (i) => ({
          owner: OWNERS[i].address,
          signature: await OWNERS[i].sign({ hash: safeTxHash }),
        })),
      ),
    );
    const hash = await f.admin.writeContract({
      address: f.safe,
      abi: SAFE.abi,
      functionName: "execTransaction",
      args: [...tx, signatures],
    });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
    const success = parseEventLogs({ abi: SAFE.abi, logs: receipt.logs, eventName: "ExecutionSuccess" });
    expect(success).to.have.length(1);
    const [state] = await readFilled(f.publicClient, { address: f.address, orders: [signed.order] });
    expect(state.filled).to.equal(3n);
  });

  it("test_prepareSafeOrderApproval_hashIsTheSafesAndDataIsSignMessageOfTheOrderHash", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), order(f.safe, false, 1_000n, 4n));
    const prepared = await prepareSafeOrderApproval(f.publicClient, {
      safe: f.safe,
      signMessageLib: f.signMessageLib,
      orderHash,
    });
    const t = prepared.transaction;
    expect(t.to).to.equal(f.signMessageLib);
    expect(t.operation).to.equal(SafeOperation.DelegateCall);
    expect(t.nonce).to.equal(0n);
    expect(prepared.chainId).to.equal(f.chainId);
    expect(t.data).to.equal(
      encodeFunctionData({ abi: signMessageLibAbi, functionName: "signMessage", args: [orderHash] }),
    );
    const onChain = await f.publicClient.readContract({
      address: f.safe,
      abi: SAFE.abi,
      functionName: "getTransactionHash",
      args: [...safeTransactionArgs(t), t.nonce],
    });
    expect(prepared.safeTxHash).to.equal(onChain);
  });

  it("test_safeApprovesOrderOnChain_theEmptySignatureTradesAsMaker", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const now = BigInt(await networkHelpers.time.latest());
    const o = order(f.safe, false, now, 5n);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), o);
    // Not approved yet: the handler finds no signed message and the Exchange refuses the empty signature.
    expect(await readSafeOrderApproval(f.publicClient, { safe: f.safe, orderHash })).to.equal(false);
    const refused = await caught(() =>
      fillOrder(f.taker, { address: f.address, order: o, signature: SAFE_ON_CHAIN_SIGNATURE, fillSize: 1n }),
    );
    expect(refused).to.be.instanceOf(InvalidContractSignatureError);
    expect((refused as InvalidContractSignatureError).args.orderHash).to.equal(orderHash);
    expect(getAddress((refused as InvalidContractSignatureError).args.trader)).to.equal(f.safe);

    const receipt = await approveOnChain(f, orderHash);
    const signed = parseEventLogs({ abi: signMessageLibAbi, logs: receipt.logs, eventName: "SignMsg" });
    expect(signed.map((l) => l.args.msgHash)).to.deep.equal([safeMessageHash(f.safe, f.chainId, orderHash)]);
    expect(await readSafeOrderApproval(f.publicClient, { safe: f.safe, orderHash })).to.equal(true);

    const { hash } = await fillOrder(f.taker, {
      address: f.address,
      order: o,
      signature: SAFE_ON_CHAIN_SIGNATURE,
      fillSize: 4n,
    });
    expect((await f.publicClient.waitForTransactionReceipt({ hash })).status).to.equal("success");
    let [state] = await readFilled(f.publicClient, { address: f.address, orders: [o] });
    expect(state.filled).to.equal(4n);

    // The same approval serves `matchOrders` against an EOA taker's order.
    const takerOrder = await signOrder(f.taker, {
      address: f.address,
      order: order(f.taker.account.address, true, now, 6n),
    });
    const matched = await matchOrders(f.admin, {
      address: f.address,
      taker: takerOrder,
      makers: [{ order: o, signature: SAFE_ON_CHAIN_SIGNATURE, fillSize: 2n }],
    });
    expect((await f.publicClient.waitForTransactionReceipt({ hash: matched.hash })).status).to.equal(
      "success",
    );
    [state] = await readFilled(f.publicClient, { address: f.address, orders: [o] });
    expect(state.filled).to.equal(6n);
  });

  it("test_safeOnChainApproval_ofAnotherOrderDoesNotAuthoriseThisOne", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const now = BigInt(await networkHelpers.time.latest());
    const approved = order(f.safe, false, now, 7n);
    const other = order(f.safe, false, now, 8n);
    const domain = exchangeDomain(f.chainId, f.address);
    await approveOnChain(f, hashOrder(domain, approved));
    const otherHash = hashOrder(domain, other);
    expect(await readSafeOrderApproval(f.publicClient, { safe: f.safe, orderHash: otherHash })).to.equal(
      false,
    );
    const refused = await caught(() =>
      fillOrder(f.taker, {
        address: f.address,
        order: other,
        signature: SAFE_ON_CHAIN_SIGNATURE,
        fillSize: 1n,
      }),
    );
    expect(refused).to.be.instanceOf(InvalidContractSignatureError);
    expect((refused as InvalidContractSignatureError).args.orderHash).to.equal(otherHash);
    const [state] = await readFilled(f.publicClient, { address: f.address, orders: [other] });
    expect(state.filled).to.equal(0n);
  });

  it("test_executeSafeTransaction_belowThresholdOrStaleNonceIsRefusedUnsent", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), order(f.safe, false, 1_000n, 9n));
    const prepared = await prepareSafeOrderApproval(f.publicClient, {
      safe: f.safe,
      signMessageLib: f.signMessageLib,
      orderHash,
    });
    const blockBefore = await f.publicClient.getBlockNumber();
    const one = await caught(async () =>
      executeSafeTransaction(f.admin, {
        safe: f.safe,
        transaction: prepared.transaction,
        signatures: [
          { owner: OWNERS[0].address, signature: await OWNERS[0].signTypedData(prepared.typedData) },
        ],
      }),
    );
    expect(one).to.be.instanceOf(UnknownContractError);
    expect((one as UnknownContractError).data.reason).to.equal("GS020");
    // Signed for a nonce the Safe is not at: the digest differs, so the recovered owners do not match.
    const stale = await prepareSafeOrderApproval(f.publicClient, {
      safe: f.safe,
      signMessageLib: f.signMessageLib,
      orderHash,
      nonce: 5n,
    });
    const wrongNonce = await caught(async () =>
      executeSafeTransaction(f.admin, {
        safe: f.safe,
        transaction: stale.transaction,
        signatures: await ownerSignatures(stale),
      }),
    );
    expect(wrongNonce).to.be.instanceOf(UnknownContractError);
    expect((wrongNonce as UnknownContractError).data.reason).to.equal("GS026");
    expect(await f.publicClient.getBlockNumber()).to.equal(blockBefore);
    expect(await readSafeOrderApproval(f.publicClient, { safe: f.safe, orderHash })).to.equal(false);
  });

  it("test_safeOrderApproval_rejectsBadInputWithTypedErrors", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const orderHash = hashOrder(exchangeDomain(f.chainId, f.address), order(f.safe, false, 1_000n, 10n));
    const good = { signMessageLib: f.signMessageLib, orderHash, nonce: 0n };
    const bad: [string, () => unknown][] = [
      ["signMessageLib", () => safeOrderApprovalTransaction({ ...good, signMessageLib: "0x1234" })],
      ["orderHash", () => safeOrderApprovalTransaction({ ...good, orderHash: "0x12" })],
      ["nonce", () => safeOrderApprovalTransaction({ ...good, nonce: -1n })],
      [
        "safe",
        () =>
          prepareSafeOrderApproval(f.publicClient, {
            safe: "0xnot" as Address,
            signMessageLib: f.signMessageLib,
            orderHash,
          }),
      ],
      ["orderHash", () => readSafeOrderApproval(f.publicClient, { safe: f.safe, orderHash: "0x" })],
      [
        "signatures",
        () =>
          executeSafeTransaction(f.admin, {
            safe: f.safe,
            transaction: safeOrderApprovalTransaction(good),
            signatures: "0x",
          }),
      ],
      [
        "operation",
        () =>
          executeSafeTransaction(f.admin, {
            safe: f.safe,
            transaction: { ...safeOrderApprovalTransaction(good), operation: 2 as SafeOperation },
            signatures: `0x${"11".repeat(130)}`,
          }),
      ],
    ];
    for (const [argument, call] of bad) {
      const e = await caught(async () => call());
      expect(e, argument).to.be.instanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).data.argument, argument).to.equal(argument);
    }
  });

  it("test_encodeSafeSignatures_sortsByOwnerAndRejectsBadInput", function () {
    const sig = (b: string) => `0x${b.repeat(65)}` as Hex;
    const low = "0x0000000000000000000000000000000000000001" as Address;
    const high = "0x00000000000000000000000000000000000000ff" as Address;
    expect(
      encodeSafeSignatures([
        { owner: high, signature: sig("bb") },
        { owner: low, signature: sig("aa") },
      ]),
    ).to.equal(`0x${"aa".repeat(65)}${"bb".repeat(65)}`);
    const bad: [string, Parameters<typeof encodeSafeSignatures>[0]][] = [
      ["signatures", []],
      ["signature", [{ owner: low, signature: "0x1234" }]],
      [
        "owner",
        [
          { owner: low, signature: sig("aa") },
          { owner: low, signature: sig("bb") },
        ],
      ],
    ];
    for (const [argument, input] of bad) {
      let caught: unknown;
      try {
        encodeSafeSignatures(input);
      } catch (e) {
        caught = e;
      }
      expect(caught, argument).to.be.instanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).data.argument).to.equal(argument);
    }
    expect(() => safeMessageHash(low, 1n, "0x12")).to.throw(InvalidArgumentError);
  });
});

type Fixture = Awaited<ReturnType<typeof deploy>>;

/** What `call` threw (or rejected with); fails the test when it did not throw. */
async function caught(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to throw");
}

/** Owners 2 and 0 (the threshold) sign the prepared Safe transaction's typed data. */
async function ownerSignatures(prepared: PrepareSafeOrderApprovalReturnType) {
  return Promise.all(
    [2, 0].map(async (i) => ({
      owner: OWNERS[i].address,
      signature: await OWNERS[i].signTypedData(prepared.typedData),
    })),
  );
}

/** Approves `orderHash` on chain through the SDK (prepare, two owners sign, any account executes). */
async function approveOnChain(f: Fixture, orderHash: Hex) {
  const prepared = await prepareSafeOrderApproval(f.publicClient, {
    safe: f.safe,
    signMessageLib: f.signMessageLib,
    orderHash,
  });
  const { hash, result } = await executeSafeTransaction(f.admin, {
    safe: f.safe,
    transaction: prepared.transaction,
    signatures: await ownerSignatures(prepared),
  });
  expect(result).to.equal(true);
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).to.equal("success");
  return receipt;
}
