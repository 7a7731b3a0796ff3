/**
 * `atf deposit`, `atf withdraw` and `atf faucet`: collateral in and out of the Clearinghouse, and
 * mock collateral minted on local and test deployments.
 */
import type { Command } from "commander";
import { parseAbi } from "viem";
import { writeContract } from "viem/actions";

import { deposit, withdraw } from "../../sdk/viem/index.js";
import { walletOf } from "../context.js";
import { confirm, type CliHelpers } from "../helpers.js";
import { checkDecimal, parsePositiveAmount } from "../units.js";

const mockTokenAbi = parseAbi(["function mint(address to, uint256 amount)"]);

export function registerCollateral(program: Command, h: CliHelpers): void {
  const { io, ctxOf, money } = h;
  // the amount's format is checked before the node is contacted, its decimals once the context is loaded
  const contextAndAmount = async (amountText: string, cmd: Command) => {
    checkDecimal(amountText, "amount");
    const ctx = await ctxOf(cmd);
    return { ctx, amount: parsePositiveAmount(amountText, ctx.decimals, "amount") };
  };
  program
    .command("deposit")
    .description("Deposit collateral into the Clearinghouse (approves the exact amount first when needed).")
    .argument("<amount>", "collateral in tokens, e.g. 100.5")
    .action(async (amountText: string, _o, cmd: Command) => {
      const { ctx, amount } = await contextAndAmount(amountText, cmd);
      const wallet = walletOf(ctx);
      const { hash, approveHash } = await deposit(wallet, {
        address: ctx.book.clearinghouse,
        collateral: ctx.book.collateral,
        amount,
      });
      await confirm(ctx, hash, "deposit");
      if (approveHash !== undefined) io.out(`approved ${money(ctx, amount)} (tx ${approveHash})`);
      io.out(`deposited ${money(ctx, amount)} (tx ${hash})`);
    });

  program
    .command("withdraw")
    .description("Withdraw free collateral from the Clearinghouse to the key's address.")
    .argument("<amount>", "collateral in tokens, e.g. 50")
    .action(async (amountText: string, _o, cmd: Command) => {
      const { ctx, amount } = await contextAndAmount(amountText, cmd);
      const { hash } = await withdraw(walletOf(ctx), { address: ctx.book.clearinghouse, amount });
      await confirm(ctx, hash, "withdraw");
      io.out(`withdrew ${money(ctx, amount)} (tx ${hash})`);
    });

  program
    .command("faucet")
    .description("Mint mock collateral to the key's address (local and test deployments only: MockERC20).")
    .argument("<amount>", "tokens to mint")
    .action(async (amountText: string, _o, cmd: Command) => {
      const { ctx, amount } = await contextAndAmount(amountText, cmd);
      const wallet = walletOf(ctx);
      const { request } = await ctx.publicClient.simulateContract({
        account: wallet.account,
        address: ctx.book.collateral,
        abi: mockTokenAbi,
        functionName: "mint",
        args: [wallet.account.address, amount],
      });
      const hash = await writeContract(wallet, request as never);
      await confirm(ctx, hash, "mint");
      io.out(`minted ${money(ctx, amount)} to ${wallet.account.address} (tx ${hash})`);
    });
}
