/**
 * One transaction's life as the trader sees it: waiting for the wallet, pending (sent, with its hash),
 * confirmed, or failed with the decoded contract error in words. The action is an SDK write (which
 * simulates first, so most refusals arrive before anything is signed) returning the hash to wait for.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import type { Hash } from "viem";

import { describeErrorInWords } from "../lib/reasons.js";
import { useProtocol } from "../protocol.js";

export type TxState =
  | { status: "idle" }
  | { status: "wallet"; label: string }
  | { status: "pending"; label: string; hash: Hash }
  | { status: "confirmed"; label: string; hash: Hash }
  | { status: "failed"; label: string; error: string; words: string; hash?: Hash };

export function useTx() {
  const { client } = useProtocol();
  const queryClient = useQueryClient();
  const [state, setState] = useState<TxState>({ status: "idle" });
  const run = useCallback(
    async (label: string, action: () => Promise<Hash>): Promise<boolean> => {
      setState({ status: "wallet", label });
      let hash: Hash | undefined;
      try {
        hash = await action();
        setState({ status: "pending", label, hash });
        const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 250 });
        if (receipt.status !== "success") throw new Error("the transaction reverted on chain");
        setState({ status: "confirmed", label, hash });
        return true;
      } catch (err) {
        const { name, words } = await describeErrorInWords(err);
        setState({ status: "failed", label, error: name, words, hash });
        return false;
      } finally {
        void queryClient.invalidateQueries();
      }
    },
    [client, queryClient],
  );
  return { state, run, reset: () => setState({ status: "idle" }) };
}
