/** Hash routes: `#/markets`, `#/trade/<marketId>`, `#/portfolio`, `#/hedge`. */
import { useEffect, useState } from "react";

export type Route =
  | { page: "markets" }
  | { page: "trade"; marketId: `0x${string}` | undefined }
  | { page: "portfolio" }
  | { page: "hedge" };

export function parseRoute(hash: string): Route {
  const [, page, arg] = hash.replace(/^#/, "").split("/");
  if (page === "trade")
    return { page, marketId: /^0x[0-9a-fA-F]{64}$/.test(arg ?? "") ? (arg as `0x${string}`) : undefined };
  if (page === "portfolio" || page === "hedge") return { page };
  return { page: "markets" };
}

export function href(route: Route): string {
  return route.page === "trade" ? `#/trade/${route.marketId ?? ""}` : `#/${route.page}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
