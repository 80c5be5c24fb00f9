// Shared by the tests: the sample's addresses (set by the C# test that starts it) and a record of every target seen.
import { appendFileSync } from "node:fs";

export const api = process.env.DEFENDER_API_URL;
export const rateLimitedApi = process.env.DEFENDER_RATE_LIMITED_API_URL;
export const needsSample = api && rateLimitedApi ? {} : { skip: "DEFENDER_API_URL / DEFENDER_RATE_LIMITED_API_URL not set (dotnet test starts the sample and sets them)" };
export const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const machineId = "188f657e6e881ed9209b8867ebe514e532a664ca";
export const missingId = "0000000000000000000000000000000000000000";

/** Notes a target so the C# side can find it in the server's log. */
export function recordTarget(target) {
  if (process.env.DEFENDER_TARGETS_FILE) appendFileSync(process.env.DEFENDER_TARGETS_FILE, target + "\n");
  return target;
}

/**
 * A fake server on 127.0.0.1 for what the real API never sends: a proxy's HTML 502, an error whose body never ends, 429/503
 * with any Retry-After. Resolves with its base URL and a close().
 */
export async function startFakeServer() {
  const { createServer } = await import("node:http");
  const sockets = new Set();
  const server = createServer((request, response) => {
    const url = new URL(request.url, "http://127.0.0.1");
    const retryAfter = url.searchParams.get("retryAfter");
    switch (url.pathname) {
      case "/html502":
        response.writeHead(502, "Bad Gateway", { "content-type": "text/html" }).end("<html><body><h1>502 Bad Gateway</h1></body></html>");
        break;
      case "/slow500":
        // The status and a first chunk, then nothing: the body is still being read when the caller gives up.
        response.writeHead(500, { "content-type": "application/json" });
        response.write('{"error":{"code":"InternalServerError",');
        break;
      case "/throttled": {
        const now = new Date();
        const headers = { "content-type": "application/json", "x-ms-error-code": "TooManyRequests", date: now.toUTCString() };
        headers["retry-after"] = retryAfter === "date30" ? new Date(Math.floor(now.getTime() / 1000) * 1000 + 30_000).toUTCString() : retryAfter;
        response.writeHead(429, headers).end(JSON.stringify({ error: { code: "TooManyRequests", message: "Too many requests.", target: "43f4cb08-8fac-4b65-9db1-745c2ae65f3a" } }));
        break;
      }
      case "/unavailable":
        response.writeHead(503, { "retry-after": retryAfter ?? "" }).end();
        break;
      default:
        response.writeHead(404).end();
    }
  });
  server.on("connection", (socket) => { sockets.add(socket); socket.on("close", () => sockets.delete(socket)); });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => { for (const socket of sockets) socket.destroy(); server.close(); },
  };
}

/** A URL on a port nothing listens on: one the system just handed out and that was closed again at once. */
export async function closedPortUrl() {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/`;
}
