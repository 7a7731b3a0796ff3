/**
 * `atf order cancel`: cancel one order on chain by hash (looked up on the relay or in the orders
 * file), or every order below a nonce (`cancelUpTo`).
 */
import type { Command } from "commander";
import type { Hex } from "viem";

import { exchangeDomain, hashOrder } from "../../sdk/core/eip712/orders.js";
import { cancelOrders, cancelUpTo } from "../../sdk/viem/index.js";
import { walletOf } from "../context.js";
import { InputError } from "../errors.js";
import { confirm, type CliHelpers } from "../helpers.js";
import { readOrdersFile } from "../orders-file.js";
import { orderFromRelay, relayUrlOf } from "../relay.js";
import { parseInteger } from "../units.js";

export function registerOrderCancel(order: Command, h: CliHelpers): void {
  const { io, ctxOf } = h;
  order
    .command("cancel")
    .description(
      "Cancel one of your orders on chain by hash (cancelOrders; the order is looked up on the relay, or\n" +
        "in the orders file with --orders-file), or every order with a nonce below n (raises your minNonce\n" +
        "on the Exchange). The relay sees the cancel on chain and takes the order off its book.",
    )
    .argument("[hash]", "order hash (0x + 64 hex)")
    .option("--all-below-nonce <n>", "void all your orders with nonce < n")
    .action(async (hash: string | undefined, o: { allBelowNonce?: string }, cmd: Command) => {
      if ((hash === undefined) === (o.allBelowNonce === undefined)) {
        throw new InputError("give either an order hash or --all-below-nonce <n>");
      }
      if (hash !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(hash)) {
        throw new InputError(`"${hash}" is not an order hash (0x + 64 hex digits)`);
      }
      const below =
        o.allBelowNonce === undefined ? undefined : parseInteger(o.allBelowNonce, "--all-below-nonce", 1n);
      const ctx = await ctxOf(cmd);
      const wallet = walletOf(ctx);
      if (below !== undefined) {
        const { hash: tx } = await cancelUpTo(wallet, { address: ctx.book.exchange, newMinNonce: below });
        await confirm(ctx, tx, "cancelUpTo");
        io.out(`cancelled every order with nonce < ${below} (tx ${tx})`);
        return;
      }
      const domain = exchangeDomain(ctx.chainId, ctx.book.exchange);
      const relayUrl = relayUrlOf(cmd);
      const found =
        relayUrl !== undefined
          ? await orderFromRelay(relayUrl, hash as Hex)
          : readOrdersFile(ctx.options.ordersFile).find(
              (s) => hashOrder(domain, s.order).toLowerCase() === hash!.toLowerCase(),
            );
      if (found === undefined) throw new InputError(`order ${hash} is not in ${ctx.options.ordersFile}`);
      if (found.order.trader.toLowerCase() !== wallet.account.address.toLowerCase()) {
        throw new InputError(
          `order ${hash} belongs to ${found.order.trader}, not to the ATF_PRIVATE_KEY account`,
        );
      }
      const { hash: tx } = await cancelOrders(wallet, { address: ctx.book.exchange, orders: [found.order] });
      await confirm(ctx, tx, "cancelOrders");
      io.out(`cancelled ${hash} (tx ${tx})`);
    });
}
