/**
 * Orders staged for the ticket (the hedge planner fills them; the Trade page signs them one by one).
 */
import { createContext, useContext, useState, type ReactNode } from "react";
import type { Hex } from "viem";

export interface DraftOrder {
  marketId: Hex;
  isBuy: boolean;
  size: bigint;
  price: bigint;
  flags: number;
  /** Why it was staged, e.g. "hedge: months 1–3". */
  note: string;
}

interface Drafts {
  drafts: DraftOrder[];
  setDrafts: (d: DraftOrder[]) => void;
}

const DraftContext = createContext<Drafts>({ drafts: [], setDrafts: () => undefined });

export function DraftProvider({ children }: { children: ReactNode }) {
  const [drafts, setDrafts] = useState<DraftOrder[]>([]);
  return <DraftContext.Provider value={{ drafts, setDrafts }}>{children}</DraftContext.Provider>;
}

export function useDrafts(): Drafts {
  return useContext(DraftContext);
}
