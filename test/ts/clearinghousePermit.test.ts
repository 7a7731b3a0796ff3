/**
 * `Clearinghouse.depositWithPermit`: an EIP-2612 permit and the deposit in one transaction, robust to the
 * permit being front-run, and a specific error when neither the permit nor an allowance covers the deposit.
 */
import { expect } from "chai";
import { Signature } from "ethers";
import { network } from "hardhat";

import { PERMIT_TYPES } from "../../sdk/core/eip712/permit.js";
import { mutableTypes } from "../../sdk/core/eip712/signers.js";
import { deployBareClearinghouse, deployClearinghouse } from "./helpers/clearinghouseFixture.js";

const { ethers, networkHelpers } = await network.create();

describe("Clearinghouse depositWithPermit", function () {
  async function setup() {
    const f = await deployClearinghouse(ethers, networkHelpers, 6);
    await f.token.mint(f.alice.address, 10_000_000n);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = { name: "USD Coin", version: "1", chainId, verifyingContract: await f.token.getAddress() };
    const sign = async (value: bigint, deadline: bigint, spender?: string) => {
      const message = {
        owner: f.alice.address,
        spender: spender ?? (await f.ch.getAddress()),
        value,
        nonce: await f.token.nonces(f.alice.address),
        deadline,
      };
      return Signature.from(await f.alice.signTypedData(domain, mutableTypes(PERMIT_TYPES), message));
    };
    const deadline = BigInt(await networkHelpers.time.latest()) + 3_600n;
    return { f, sign, deadline };
  }

  it("depositWithPermit_approvesAndDepositsInOneTransaction", async function () {
    const { f, sign, deadline } = await setup();
    const sig = await sign(4_000_000n, deadline);
    await expect(f.ch.connect(f.alice).depositWithPermit(4_000_000n, deadline, sig.v, sig.r, sig.s))
      .to.emit(f.ch, "Deposited")
      .withArgs(f.alice.address, f.alice.address, 4_000_000n);
    expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(4_000_000n);
    expect(await f.token.allowance(f.alice.address, await f.ch.getAddress())).to.equal(0n);
    expect(await f.token.balanceOf(await f.ch.getAddress())).to.equal(4_000_000n);
  });

  it("depositWithPermit_stillDepositsWhenSomeoneSubmittedThePermitFirst", async function () {
    const { f, sign, deadline } = await setup();
    const sig = await sign(4_000_000n, deadline);
    // A watcher copies the permit from the mempool and submits it on its own.
    await f.token
      .connect(f.bob)
      .permit(f.alice.address, await f.ch.getAddress(), 4_000_000n, deadline, sig.v, sig.r, sig.s);
    await expect(f.ch.connect(f.alice).depositWithPermit(4_000_000n, deadline, sig.v, sig.r, sig.s))
      .to.emit(f.ch, "Deposited")
      .withArgs(f.alice.address, f.alice.address, 4_000_000n);
    expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(4_000_000n);
  });

  it("depositWithPermit_revertsWithPermitFailedOnABadExpiredOrForeignPermit", async function () {
    const { f, sign, deadline } = await setup();
    // Signed for less than the deposit.
    const small = await sign(1_000_000n, deadline);
    await expect(f.ch.connect(f.alice).depositWithPermit(4_000_000n, deadline, small.v, small.r, small.s))
      .to.be.revertedWithCustomError(f.ch, "PermitFailed")
      .withArgs(f.alice.address, 0n, 4_000_000n);
    // Past its deadline.
    const late = BigInt(await networkHelpers.time.latest());
    const expired = await sign(4_000_000n, late);
    await networkHelpers.time.increase(10);
    await expect(f.ch.connect(f.alice).depositWithPermit(4_000_000n, late, expired.v, expired.r, expired.s))
      .to.be.revertedWithCustomError(f.ch, "PermitFailed")
      .withArgs(f.alice.address, 0n, 4_000_000n);
    // For another spender.
    const foreign = await sign(4_000_000n, deadline, f.bob.address);
    await expect(
      f.ch.connect(f.alice).depositWithPermit(4_000_000n, deadline, foreign.v, foreign.r, foreign.s),
    )
      .to.be.revertedWithCustomError(f.ch, "PermitFailed")
      .withArgs(f.alice.address, 0n, 4_000_000n);
    // Alice's permit submitted by Bob pulls nothing from Bob or Alice: the caller is the owner checked.
    const own = await sign(4_000_000n, deadline);
    await expect(f.ch.connect(f.bob).depositWithPermit(4_000_000n, deadline, own.v, own.r, own.s))
      .to.be.revertedWithCustomError(f.ch, "PermitFailed")
      .withArgs(f.bob.address, 0n, 4_000_000n);
    expect(await f.token.balanceOf(await f.ch.getAddress())).to.equal(0n);
    expect((await f.ch.accountOf(f.alice.address)).balance).to.equal(0n);
  });

  it("depositWithPermit_onATokenWithoutPermitUsesAnExistingAllowanceOrReverts", async function () {
    const [, , alice] = await ethers.getSigners();
    const token = await ethers.deployContract("NoReturnToken");
    const { ch } = await deployBareClearinghouse(ethers, await token.getAddress());
    const t = await ethers.getContractAt("MockERC20", await token.getAddress());
    await t.mint(alice.address, 1_000n);
    const zero = ethers.ZeroHash;
    await expect(ch.connect(alice).depositWithPermit(600n, 0n, 27, zero, zero))
      .to.be.revertedWithCustomError(ch, "PermitFailed")
      .withArgs(alice.address, 0n, 600n);
    await t.connect(alice).approve(await ch.getAddress(), 600n);
    await expect(ch.connect(alice).depositWithPermit(600n, 0n, 27, zero, zero))
      .to.emit(ch, "Deposited")
      .withArgs(alice.address, alice.address, 600n);
  });

  it("depositWithPermit_revertsOnZeroAmount", async function () {
    const { f, sign, deadline } = await setup();
    const sig = await sign(0n, deadline);
    await expect(
      f.ch.connect(f.alice).depositWithPermit(0n, deadline, sig.v, sig.r, sig.s),
    ).to.be.revertedWithCustomError(f.ch, "ZeroAmount");
  });
});
