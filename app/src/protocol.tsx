/**
 * The protocol context: the runtime config, a viem public client on the configured JSON-RPC (the SDK's
 * reads take it), the relay client, the Exchange's EIP-712 domain and the collateral token's units.
 */
import { createContext, useContext, type ReactNode } from "react";
import { createPublicClient, http, type PublicClient } from "viem";

import { exchangeDomain, type ExchangeDomain } from "../../sdk/core/eip712/orders.js";
import { createRelayClient, type RelayClient } from "../../sdk/relay/client.js";
import type { AppConfig } from "./config.js";

export interface Collateral {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
  /** `10 ** (18 − decimals)`. */
  scale: bigint;
}

export interface Protocol {
  config: AppConfig;
  client: PublicClient;
  relay: RelayClient;
  domain: ExchangeDomain;
  collateral: Collateral;
}

const ProtocolContext = createContext<Protocol | undefined>(undefined);

export function makeProtocol(config: AppConfig, collateral: Omit<Collateral, "address" | "scale">): Protocol {
  const client = createPublicClient({
    transport: http(config.rpcUrl),
    pollingInterval: 1_000,
  }) as PublicClient;
  return {
    config,
    client,
    relay: createRelayClient({ url: config.relayUrl }),
    domain: exchangeDomain(config.chainId, config.addressBook.exchange),
    collateral: {
      ...collateral,
      address: config.addressBook.collateral,
      scale: 10n ** BigInt(18 - collateral.decimals),
    },
  };
}

export function ProtocolProvider({ value, children }: { value: Protocol; children: ReactNode }) {
  return <ProtocolContext.Provider value={value}>{children}</ProtocolContext.Provider>;
}

/** The protocol context; only inside `ProtocolProvider`. */
export function useProtocol(): Protocol {
  const p = useContext(ProtocolContext);
  if (p === undefined) throw new Error("useProtocol outside ProtocolProvider");
  return p;
}
