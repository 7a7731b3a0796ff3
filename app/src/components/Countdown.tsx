import { useEffect, useMemo, useState } from "react";

import { countdown, utc } from "../lib/format.js";

/**
 * Time to `target` (unix seconds), ticking every second from the chain time `chainNow` read with the data
 * (the chain's clock, which a local node may run ahead of the wall clock).
 */
export function Countdown({ target, chainNow }: { target: bigint; chainNow: bigint }) {
  const offset = useMemo(() => Number(chainNow) - Date.now() / 1000, [chainNow]);
  const [now, setNow] = useState(() => Date.now() / 1000 + offset);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now() / 1000 + offset), 1000);
    return () => clearInterval(t);
  }, [offset]);
  return <span title={utc(target)}>{countdown(target, now)}</span>;
}
