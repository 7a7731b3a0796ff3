/** A JSON-RPC HTTP endpoint on loopback in front of the in-process chain, for the CLI and keeper processes. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { Eip1193Like } from "../../../keepers/shell/transport.js";

interface RpcRequest {
  id: unknown;
  method: string;
  params?: unknown;
}

/** Serves `provider` at `http://127.0.0.1:<port>` (a free port unless given); `close` stops it. */
export async function startRpcProxy(
  provider: Eip1193Like,
  listenPort = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const answer = async (req: RpcRequest) => {
    try {
      return {
        jsonrpc: "2.0",
        id: req.id,
        result: await provider.request({ method: req.method, params: req.params }),
      };
    } catch (e) {
      const error = e as { code?: number; message?: string; data?: unknown };
      return {
        jsonrpc: "2.0",
        id: req.id,
        error: { code: error.code ?? -32603, message: error.message ?? String(e), data: error.data },
      };
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcRequest | RpcRequest[];
      const reply = Array.isArray(body) ? Promise.all(body.map(answer)) : answer(body);
      void reply.then((r) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
