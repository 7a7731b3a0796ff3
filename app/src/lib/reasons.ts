/**
 * Refusals in words. The relay and the contracts name a refusal with the contract's custom error and its
 * arguments (`PriceOutsideBand { price, mark, band }`); a trader reads a sentence in dollars and
 * contracts. Errors this table does not phrase fall back to the NatSpec notice the SDK generated from the
 * contracts (`ProtocolContractError.message`), then to the name itself. The generated table (about 120 kB
 * of the bundle) loads with the first error to word (`describeErrorInWords`), not with the page.
 */
import { contracts, percent, usdAmount, usdPrice } from "./format.js";

type Args = Readonly<Record<string, string | bigint | number | boolean | undefined>>;

const big = (v: Args[string]) => (v === undefined ? 0n : BigInt(v as string | bigint | number));

const PHRASES: Record<string, (a: Args) => string> = {
  PriceOutsideBand: (a) => {
    const mark = big(a.mark);
    const width = (mark * big(a.band)) / 10n ** 18n;
    return (
      `The price ${usdPrice(big(a.price))} is outside the band of ±${percent(big(a.band), 0)} around the mark ` +
      `${usdPrice(mark)}: the exchange accepts ${usdPrice(mark - width)} to ${usdPrice(mark + width)}.`
    );
  },
  PriceNotOnTick: (a) =>
    `The price ${usdPrice(big(a.price))} is not a multiple of the tick ${usdPrice(big(a.tickSize), 6)}.`,
  SizeBelowMinimum: (a) =>
    `The size ${contracts(big(a.size))} is below the minimum of ${contracts(big(a.minSize))}.`,
  SizeTooLarge: (a) =>
    `The size ${contracts(big(a.size))} is above the largest position of ${contracts(big(a.max))}.`,
  InsufficientMargin: (a) =>
    `Not enough margin: this needs ${usdAmount(big(a.initialMargin))} of initial margin and your equity ` +
    `would be ${usdAmount(big(a.equity))}. Deposit more or lower the size.`,
  MarketExpired: () => "This market has expired: it takes no new orders.",
  MarketIsPaused: () =>
    "This market is paused by the guardian: orders that add risk are refused until it resumes.",
  IndexUnavailable: () =>
    "The index has no fresh oracle value (stale oracle), so the mark is unknown and no order can be checked.",
  StaleIndex: () =>
    "The oracle's index value is too old (stale oracle): trading that needs the mark waits for a new round.",
  PostOnlyCannotTake: () =>
    "Post-only: this price would trade at once against the book, so the order is refused.",
  SelfTrade: () =>
    "This would trade against one of your own resting orders. Cancel it first or change the price.",
  ReduceOnlyWouldIncrease: (a) =>
    `Reduce-only: your position is ${contracts(big(a.position))}, and this order would not reduce it.`,
  TooManyOpenMarkets: (a) =>
    `An account may hold positions in at most ${String(a.max ?? 8)} markets at once.`,
  TooManyOpenOrders: (a) =>
    `You already have ${String(a.open)} open orders, the most the relay keeps (${String(a.max)}).`,
  OrderExpired: () => "The order's expiry has passed.",
  OrderNonceUsed: () => "This order's nonce was already used (filled or cancelled). Sign a new order.",
  OrderNonceBelowMinimum: () => "This order's nonce was voided by a cancel-all. Sign a new order.",
  DuplicateOrder: () => "The relay already has this exact order.",
  ZeroOrderSize: () => "Enter a size of at least one contract.",
  ZeroPrice: () => "Enter a price above zero.",
  RateLimited: () => "Too many requests: wait a moment and try again.",
  ZeroAmount: () => "Enter an amount above zero.",
  InsufficientBalance: () => "That is more than your balance in the Clearinghouse.",
  ERC20InsufficientBalance: () => "Your wallet does not hold that much collateral.",
  NonceNotIncreasing: () => "There is nothing newer to cancel: every order was already voided.",
  NoOrdersToCancel: () => "There is no order to cancel.",
  ClaimNotYetPayable: (a) =>
    `Your claim is paid once every position of the market is settled (${String(a.openPositions ?? "some")} still open).`,
  MarketNotSettled: () => "The market has no final price yet: settlement comes after the dispute window.",
  NothingToSettle: () => "Nothing to settle in this market for this account.",
  UserRejectedRequestError: () => "You rejected the request in your wallet.",
};

let notices: Map<string, string> | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the contracts' NatSpec notices from the SDK's generated error table, once. Until it resolves an
 * error the phrase table does not know reads as its name.
 */
export function loadNotices(): Promise<void> {
  loading ??= import("../../../sdk/core/errors/generated.js").then(({ protocolErrorClasses }) => {
    notices = new Map(
      Object.values(protocolErrorClasses)
        .filter((c) => c.notice !== undefined)
        .map((c) => [c.errorName, c.notice!.replace(/^Thrown\s+(when|if)\s+/i, "")]),
    );
  });
  return loading;
}

/**
 * A refusal as a sentence.
 * @example reasonInWords("PriceNotOnTick", { price: "1000500000000000000", tickSize: "1000000000000000" })
 */
export function reasonInWords(error: string, args: Args = {}): string {
  const phrase = PHRASES[error];
  if (phrase !== undefined) return phrase(args);
  const notice = notices?.get(error);
  if (notice !== undefined) return `${notice.charAt(0).toUpperCase()}${notice.slice(1)} (${error})`;
  return error;
}

/**
 * `describeError` once the contracts' notices are loaded (fetched with the first error; an error the
 * phrase table knows needs none, and a failed fetch leaves the name).
 */
export async function describeErrorInWords(err: unknown): Promise<{ name: string; words: string }> {
  await loadNotices().catch(() => undefined);
  return describeError(err);
}

/** The error name and arguments of anything thrown by the SDK, the relay client or the wallet. */
export function describeError(err: unknown): { name: string; words: string } {
  const e = err as {
    name?: string;
    data?: { errorName?: string; args?: Record<string, unknown>; error?: string };
    shortMessage?: string;
    message?: string;
    code?: number;
  };
  if (e?.name === "RelayError" && e.data?.error !== undefined) {
    return { name: e.data.error, words: reasonInWords(e.data.error, (e.data.args ?? {}) as Args) };
  }
  if (e?.data?.errorName !== undefined) {
    const args: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.data.args ?? {}))
      args[k] = typeof v === "bigint" ? v.toString() : String(v);
    return { name: e.data.errorName, words: reasonInWords(e.data.errorName, args) };
  }
  if (e?.code === 4001 || /reject|denied/i.test(e?.message ?? "")) {
    return { name: "UserRejectedRequestError", words: reasonInWords("UserRejectedRequestError") };
  }
  return { name: e?.name ?? "Error", words: e?.shortMessage ?? e?.message ?? String(err) };
}
