import { expect } from "chai";
import { Wallet } from "ethers";
import { network } from "hardhat";

import { Exchange__factory, IndexOracle__factory, signOrder, signReport } from "../../../sdk/ethers.js";
import { buildOrder, decodeContractError, indexIdOf, QuorumNotMetError } from "../../../sdk/index.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;

const E18 = 10n ** 18n;
const ID = indexIdOf("GPU-H100");

async function deploy() {
  const [admin, maker, taker] = await ethers.getSigners();
  const manager = await ethers.deployContract("AccessManager", [admin.address]);
  const venue = await ethers.deployContract("MockClearinghouseVenue");
  const exchangeDeployment = await ethers.deployContract("Exchange", [
    await venue.getAddress(),
    await manager.getAddress(),
  ]);
  const oracleDeployment = await ethers.deployContract("IndexOracle", [await manager.getAddress()]);
  // The SDK's typechain factories bind the deployed addresses.
  const exchange = Exchange__factory.connect(await exchangeDeployment.getAddress(), taker);
  const oracle = IndexOracle__factory.connect(await oracleDeployment.getAddress(), admin);
  const reporters = [1, 2, 3].map(
    (i) => new Wallet(ethers.toBeHex(0xe7e700n + BigInt(i), 32), ethers.provider),
  );
  await oracle.createIndex(
    ID,
    { quorum: 2, maxAge: 3600, minInterval: 60, maxDeviation: E18, faultBound: 0 },
    reporters.map((r) => r.address),
  );
  return { maker, taker, exchange, oracle, reporters };
}

describe("sdk/ethers", function () {
  it("test_signOrder_withEthersSignerFillsThroughTypechainBinding", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const order = buildOrder(
      {
        trader: (await f.maker.getAddress()) as `0x${string}`,
        marketId: indexIdOf("M"),
        isBuy: false,
        size: 5n,
        limitPrice: E18,
      },
      BigInt(await time.latest()),
    );
    const { signature, orderHash } = await signOrder(f.maker, {
      exchange: await f.exchange.getAddress(),
      order,
    });
    expect(orderHash).to.equal(await f.exchange.hashOrder(order));
    await (await f.exchange.fillOrder(order, signature, 2n)).wait();
    expect(await f.exchange.filled(orderHash)).to.equal(2n);
  });

  it("test_signReport_withEthersSignerIsAcceptedAndRevertsDecode", async function () {
    const f = await networkHelpers.loadFixture(deploy);
    const at = BigInt(await time.latest()) + 10n;
    const oracleAddress = await f.oracle.getAddress();
    const reports = await Promise.all(
      f.reporters.map((r, i) =>
        signReport(r, {
          oracle: oracleAddress,
          report: {
            indexId: ID,
            value: BigInt(i + 2) * E18,
            observedAt: at - 5n,
            inputsHash: indexIdOf(`in-${i}`),
          },
        }),
      ),
    );
    // One signature is below the quorum of two: the ethers revert decodes to the typed error.
    let error: unknown;
    try {
      await f.oracle.submit.staticCall(ID, reports.slice(0, 1));
    } catch (e) {
      error = e;
    }
    const typed = decodeContractError(error);
    expect(typed).to.be.instanceOf(QuorumNotMetError);
    expect((typed as QuorumNotMetError).args).to.deep.equal({ indexId: ID, signers: 1n, quorum: 2n });

    await time.setNextBlockTimestamp(at);
    await (await f.oracle.submit(ID, reports)).wait();
    const [value, updatedAt] = await f.oracle.latest(ID);
    expect([value, updatedAt]).to.deep.equal([3n * E18, at]);
  });
});
