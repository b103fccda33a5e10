import http from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server on loopback for tests, closed (connections included) by `closeTestServers`. */
export interface TestServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];

export async function startTestServer(handler: http.RequestListener, host = "127.0.0.1"): Promise<TestServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const started: TestServer = {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(started);
  return started;
}

/** Closes every server started since the last call; for `afterEach`. */
export async function closeTestServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers with what it received, so tests can see the method, headers and body that arrived. */
export const echo: http.RequestListener = async (req, res) => {
  const body = await readBody(req);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};
