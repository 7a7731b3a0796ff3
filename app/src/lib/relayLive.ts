/**
 * The relay's WebSocket channels the SDK client does not wrap (trades, an account's orders): one socket
 * per subscription, reopened after a drop with a capped back-off. Depth uses the SDK's `subscribeBook`,
 * which detects sequence gaps.
 */
export interface LiveSubscription {
  close(): void;
}

export function subscribeRelay(
  relayUrl: string,
  subscribe: Record<string, string>,
  onMessage: (message: Record<string, unknown>) => void,
  onStatus?: (open: boolean) => void,
): LiveSubscription {
  let closed = false;
  let ws: WebSocket | undefined;
  let retry = 250;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const open = () => {
    ws = new WebSocket(`${relayUrl.replace(/^http/, "ws")}/ws`);
    ws.addEventListener("open", () => {
      retry = 250;
      ws?.send(JSON.stringify({ op: "subscribe", ...subscribe }));
      onStatus?.(true);
    });
    ws.addEventListener("message", (e: MessageEvent) => {
      try {
        onMessage(JSON.parse(String(e.data)) as Record<string, unknown>);
      } catch {
        // a malformed frame is dropped; the next one carries state again
      }
    });
    ws.addEventListener("close", () => {
      onStatus?.(false);
      if (closed) return;
      timer = setTimeout(open, retry);
      retry = Math.min(retry * 2, 5_000);
    });
  };
  open();
  return {
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      ws?.close();
    },
  };
}
