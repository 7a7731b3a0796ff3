import {
  SignTypedDataVersion,
  TypedDataUtils,
  recoverTypedSignature,
  signTypedData,
} from "@metamask/eth-sig-util";
import { expect } from "chai";
import { network } from "hardhat";
import { bytesToHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import {
  InvalidArgumentError,
  OrderFlags,
  buildOrder,
  exchangeDomain,
  fillOrder,
  hashOrder,
  indexIdOf,
  readFilled,
  typedDataForOrder,
  type Order,
} from "../../../sdk/index.js";

const { viem, networkHelpers } = await network.create();

const E18 = 10n ** 18n;
const MARKET = indexIdOf("ATPI-FRONTIER-2027Q1");

async function deploy() {
  const publicClient = await viem.getPublicClient();
  const [admin, taker] = await viem.getWalletClients();
  const manager = await viem.deployContract("AccessManager", [admin.account.address]);
  const venue = await viem.deployContract("MockClearinghouseVenue");
  const exchange = await viem.deployContract("Exchange", [venue.address, manager.address]);
  return { publicClient, taker, exchange, address: exchange.address as Address };
}

/** An order of a fresh key (the maker never sends a transaction), 2^100 + 7 wei of limit price. */
function makerOrder(trader: Address, now: bigint): Order {
  return buildOrder(
    {
      trader,
      marketId: MARKET,
      isBuy: false,
      size: 10n,
      limitPrice: 2n * E18 + (1n << 100n) + 7n,
      nonce: 5n,
      salt: (1n << 200n) + 3n,
      flags: OrderFlags.None,
    },
    now,
  );
}

describe("sdk typedDataForOrder (eth_signTypedData_v4)", function () {
  it("test_typedDataForOrder_isJsonSafeWithDecimalStringsAndDomainType", function () {
    const order = makerOrder("0x00000000000000000000000000000000000000aa", 1_000n);
    const domain = exchangeDomain(31337n, "0x00000000000000000000000000000000000000bb");
    const payload = typedDataForOrder(order, domain);
    const roundTrip = JSON.parse(JSON.stringify(payload)) as typeof payload;
    expect(roundTrip).to.deep.equal(payload);
    expect(payload.primaryType).to.equal("Order");
    expect(payload.types.EIP712Domain.map((f) => f.name)).to.deep.equal([
      "name",
      "version",
      "chainId",
      "verifyingContract",
    ]);
    expect(payload.domain.chainId).to.equal("31337");
    expect(payload.message.limitPrice).to.equal((2n * E18 + (1n << 100n) + 7n).toString());
    expect(payload.message.salt).to.equal(((1n << 200n) + 3n).toString());
    expect(payload.message.flags).to.equal("0");
    // The payload does not share arrays with the SDK's constant types.
    payload.types.Order.pop();
    expect(typedDataForOrder(order, domain).types.Order).to.have.length(9);
  });

  it("test_typedDataForOrder_rejectsFieldsOutsideTheirSolidityTypes", function () {
    const order = makerOrder("0x00000000000000000000000000000000000000aa", 1_000n);
    const domain = exchangeDomain(1n, "0x00000000000000000000000000000000000000bb");
    const bad: [string, Order][] = [
      ["order.size", { ...order, size: 1n << 128n }],
      ["order.limitPrice", { ...order, limitPrice: -1n }],
      ["order.flags", { ...order, flags: 256 }],
      ["order.marketId", { ...order, marketId: "0x1234" }],
      ["order.trader", { ...order, trader: "0x12" as Address }],
    ];
    for (const [argument, o] of bad) {
      let caught: unknown;
      try {
        typedDataForOrder(o, domain);
      } catch (e) {
        caught = e;
      }
      expect(caught, argument).to.be.instanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).data.argument).to.equal(argument);
    }
  });

  it("test_typedDataForOrder_metamaskSignsTheContractsDigestAndTheOrderFills", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const key = generatePrivateKey();
    const maker = privateKeyToAccount(key);
    const now = BigInt(await networkHelpers.time.latest());
    const order = makerOrder(maker.address, now);
    const domain = exchangeDomain(BigInt(await f.publicClient.getChainId()), f.address);
    const payload = typedDataForOrder(order, domain);
    // What a wallet receives over JSON-RPC: the JSON text, parsed back.
    const data = JSON.parse(JSON.stringify(payload)) as Parameters<typeof TypedDataUtils.eip712Hash>[0];

    const digest = bytesToHex(TypedDataUtils.eip712Hash(data, SignTypedDataVersion.V4));
    expect(digest).to.equal(hashOrder(domain, order));
    expect(digest).to.equal(await f.exchange.read.hashOrder([order]));

    const signature = signTypedData({
      privateKey: Buffer.from(key.slice(2), "hex"),
      data,
      version: SignTypedDataVersion.V4,
    }) as Hex;
    expect(recoverTypedSignature({ data, signature, version: SignTypedDataVersion.V4 })).to.equal(
      maker.address.toLowerCase(),
    );

    const { hash } = await fillOrder(f.taker, { address: f.address, order, signature, fillSize: 4n });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).to.equal("success");
    const [state] = await readFilled(f.publicClient, { address: f.address, orders: [order] });
    expect(state.filled).to.equal(4n);
    expect(state.remaining).to.equal(6n);
  });
});
