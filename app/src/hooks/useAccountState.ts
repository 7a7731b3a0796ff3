/**
 * The connected trader's state: the Clearinghouse account valued with the SDK (`fetchAccount`: balance,
 * positions, marks at one block), the wallet's collateral, pending settlement claims, the Exchange's
 * minimum nonce, and the relay's view of its orders and history. Refreshed every 2 s and whenever the
 * relay reports an order change.
 */
import { useQuery } from "@tanstack/react-query";
import { erc20Abi, type Address, type Hex } from "viem";

import { clearinghouseAbi } from "../../../sdk/abi/generated/clearinghouse.js";
import { exchangeAbi } from "../../../sdk/abi/generated/exchange.js";
import { fetchAccount, type FetchAccountReturnType } from "../../../sdk/viem/clearinghouse/fetchAccount.js";
import type { RelayFill, RelayHistoryEvent, RelayOrder } from "../../../sdk/relay/client.js";
import { useProtocol } from "../protocol.js";

/** A market the account holds no contracts in but still has a settlement claim on. */
export interface PendingClaim {
  marketId: Hex;
  /** Collateral units, before any pro-rata cut. */
  amount: bigint;
}

export interface AccountState extends FetchAccountReturnType {
  walletBalance: bigint;
  allowance: bigint;
  claims: PendingClaim[];
  minNonce: bigint;
  /** Live orders (open or partially filled), newest first. */
  openOrders: RelayOrder[];
  /** The next nonce to sign with: above every nonce the relay has seen and at least `minNonce`. */
  nextNonce: bigint;
  history: { fills: RelayFill[]; events: RelayHistoryEvent[] };
}

export function useAccountState(address: Address | undefined) {
  const { config, client, relay, collateral } = useProtocol();
  const book = config.addressBook;
  return useQuery({
    queryKey: ["account", address],
    enabled: address !== undefined,
    refetchInterval: 2_000,
    queryFn: async (): Promise<AccountState> => {
      const account = address!;
      const [loaded, walletBalance, allowance, minNonce, live, recent, history] = await Promise.all([
        fetchAccount(client, { address: book.clearinghouse, account }),
        client.readContract({
          address: collateral.address,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [account],
        }),
        client.readContract({
          address: collateral.address,
          abi: erc20Abi,
          functionName: "allowance",
          args: [account, book.clearinghouse],
        }),
        client.readContract({
          address: book.exchange,
          abi: exchangeAbi,
          functionName: "minNonce",
          args: [account],
        }),
        relay.accountOrders(account, { live: true }).catch(() => [] as RelayOrder[]),
        relay.accountOrders(account, { limit: 200 }).catch(() => [] as RelayOrder[]),
        relay.accountHistory(account, 200).catch(() => ({ fills: [], events: [] })),
      ]);
      // a settled winning position leaves size 0 and its claim in openNotional until the market pays;
      // only markets past expiry can hold one
      const expired = Object.values(book.markets ?? {}).filter(
        (m) => BigInt(m.expiry) <= loaded.context.timestamp && !loaded.account.positions.has(m.id as never),
      );
      const slots = await Promise.all(
        expired.map((m) =>
          client.readContract({
            address: book.clearinghouse,
            abi: clearinghouseAbi,
            functionName: "position",
            args: [account, m.id],
          }),
        ),
      );
      const claims: PendingClaim[] = expired
        .map((m, i) => ({ marketId: m.id, size: slots[i][0], amount: slots[i][1] }))
        .filter((c) => c.size === 0n && c.amount > 0n)
        .map(({ marketId, amount }) => ({ marketId, amount }));
      let nextNonce = minNonce;
      for (const o of [...live, ...recent]) if (o.order.nonce >= nextNonce) nextNonce = o.order.nonce + 1n;
      return { ...loaded, walletBalance, allowance, claims, minNonce, openOrders: live, nextNonce, history };
    },
  });
}
