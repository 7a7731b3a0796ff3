import type { TxState } from "../hooks/useTx.js";
import { shortHex } from "../lib/format.js";

/** A transaction's state in one line: waiting for the wallet, pending, confirmed, failed with its reason. */
export function TxStatus({ state }: { state: TxState }) {
  if (state.status === "idle") return null;
  const text =
    state.status === "wallet"
      ? `${state.label}: confirm in your wallet…`
      : state.status === "pending"
        ? `${state.label}: pending (${shortHex(state.hash)})…`
        : state.status === "confirmed"
          ? `${state.label}: confirmed (${shortHex(state.hash)})`
          : `${state.label} failed: ${state.words}`;
  return (
    <p
      className={`tx tx-${state.status}`}
      role="status"
      data-tx={state.status}
      data-error={state.status === "failed" ? state.error : undefined}
    >
      {text}
    </p>
  );
}
