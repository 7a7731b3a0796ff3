/**
 * Serves the built web app (`app/dist`) on loopback, with:
 *
 * - `/config.json`: the runtime configuration the app reads at load (chain, address book, URLs), so one
 *   static build serves any deployment;
 * - `/rpc`: a same-origin pass-through to the chain's JSON-RPC (POST only);
 * - `/relay/…` and the `/relay/ws` WebSocket: a same-origin pass-through to the order relay, which sends
 *   no CORS headers of its own.
 *
 * Static files are gzipped once on first request when the browser accepts gzip; hashed assets are cached
 * for a year, `index.html` and `config.json` never.
 */
import { readFile, stat } from "node:fs/promises";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";

/** What the app reads from `/config.json` (see `app/src/config.ts`). */
export interface AppRuntimeConfig {
  chainId: number;
  chainName: string;
  /** JSON-RPC URL; relative URLs resolve against the page. */
  rpcUrl: string;
  /** The JSON-RPC URL a wallet should add for this chain (absolute), when it differs from `rpcUrl`. */
  walletRpcUrl?: string;
  /** Order relay base URL; relative URLs resolve against the page. */
  relayUrl: string;
  /** The plain address book (`deployments/<network>.json`). */
  addressBook: unknown;
  /** The collateral token's symbol and decimals (read by the app when left out). */
  collateral?: { symbol: string; decimals: number };
  /** WalletConnect Cloud project id; WalletConnect is offered only when set. */
  walletConnectProjectId?: string;
}

export interface AppServerOptions {
  /** The built app (`vite build` output). */
  distDir: string;
  host: string;
  /** 0: any free port. */
  port: number;
  config: AppRuntimeConfig;
  /** Upstream JSON-RPC for `/rpc` (the config's `rpcUrl` should then be `/rpc`). */
  rpcTarget?: string;
  /** Upstream relay for `/relay` (the config's `relayUrl` should then be `/relay`). */
  relayTarget?: string;
}

export interface RunningAppServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Upstream request bodies are capped like the relay caps its own. */
const MAX_PROXY_BODY = 1 << 20;

function pipeRequest(req: IncomingMessage, res: ServerResponse, target: URL, path: string): void {
  const upstream = httpRequest(
    {
      host: target.hostname,
      port: target.port,
      method: req.method,
      path,
      headers: { ...req.headers, host: target.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", () => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "UpstreamUnavailable", message: `${target.origin} did not answer` }));
  });
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_PROXY_BODY) {
      upstream.destroy();
      req.destroy();
    }
  });
  req.pipe(upstream);
}

/**
 * Starts the server; resolves with its URL once listening.
 * @example const app = await startAppServer({ distDir: "app/dist", host: "127.0.0.1", port: 0, config });
 */
export async function startAppServer(options: AppServerOptions): Promise<RunningAppServer> {
  const root = resolve(options.distDir);
  const gzipCache = new Map<string, Buffer>();
  const configJson = JSON.stringify(options.config);
  const rpcTarget = options.rpcTarget === undefined ? undefined : new URL(options.rpcTarget);
  const relayTarget = options.relayTarget === undefined ? undefined : new URL(options.relayTarget);

  const sendFile = async (req: IncomingMessage, res: ServerResponse, file: string) => {
    const body = await readFile(file);
    // a rebuild while serving replaces files in place: the cache is per file content
    const cacheKey = `${file}:${body.length}:${(await stat(file)).mtimeMs}`;
    const type = TYPES[extname(file)] ?? "application/octet-stream";
    const immutable = file.includes(`${sep}assets${sep}`);
    const headers: Record<string, string> = {
      "content-type": type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    };
    const gzip =
      /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? "")) && !type.startsWith("image/png");
    if (gzip) {
      let zipped = gzipCache.get(cacheKey);
      if (zipped === undefined) {
        zipped = gzipSync(body, { level: 9 });
        gzipCache.set(cacheKey, zipped);
      }
      headers["content-encoding"] = "gzip";
      headers["content-length"] = String(zipped.length);
      res.writeHead(200, headers);
      res.end(req.method === "HEAD" ? undefined : zipped);
      return;
    }
    headers["content-length"] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://app");
      if (url.pathname === "/config.json") {
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
        res.end(configJson);
        return;
      }
      if (url.pathname === "/rpc" && rpcTarget !== undefined) {
        if (req.method !== "POST") {
          res.writeHead(405).end();
          return;
        }
        pipeRequest(req, res, rpcTarget, rpcTarget.pathname);
        return;
      }
      if ((url.pathname === "/relay" || url.pathname.startsWith("/relay/")) && relayTarget !== undefined) {
        pipeRequest(req, res, relayTarget, url.pathname.slice("/relay".length) + url.search || "/");
        return;
      }
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405).end();
        return;
      }
      const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
      const file = join(root, rel);
      if (!file.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      const found = await stat(file).catch(() => undefined);
      // every unknown path is the single-page app (hash routing keeps this rare)
      await sendFile(req, res, found?.isFile() === true ? file : join(root, "index.html"));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  // WebSocket pass-through to the relay: the upgrade request is replayed upstream, then bytes are piped.
  const tunnels = new Set<{ destroy(): void }>();
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://app");
    if (relayTarget === undefined || url.pathname !== "/relay/ws") {
      socket.destroy();
      return;
    }
    const upstream = connect(Number(relayTarget.port || 80), relayTarget.hostname, () => {
      const lines = [`GET /ws HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const name = req.rawHeaders[i];
        lines.push(`${name}: ${name.toLowerCase() === "host" ? relayTarget.host : req.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const end = () => {
      upstream.destroy();
      socket.destroy();
      tunnels.delete(upstream);
    };
    tunnels.add(upstream);
    upstream.on("error", end);
    socket.on("error", end);
    upstream.on("close", end);
    socket.on("close", end);
  });

  await new Promise<void>((res) => server.listen(options.port, options.host, res));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    server,
    close: async () => {
      for (const t of tunnels) t.destroy();
      server.closeAllConnections();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}
