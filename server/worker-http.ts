import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "./db";
import type { Runtime } from "../runner/runtime";
import { probeRoutes } from "./probe-routes";

/**
 * A worker's small HTTP listener (WORKER_HTTP_PORT): `GET /health` (alive, the database answers), `GET /ready`
 * (the database is migrated, Redis answers, the worker takes jobs) and `GET /metrics` (Prometheus, with
 * METRICS_TOKEN as the bearer token): the same answers as the web process's /api/health, /api/ready and
 * /api/metrics. Nothing else is served.
 */
export async function startWorkerHttp({
  port,
  host,
  db,
  runtime,
  metricsToken,
}: {
  port: number;
  host?: string;
  db: Db;
  runtime: Runtime;
  /** METRICS_TOKEN: /metrics answers a scraper that sends it; unset, /metrics is off. */
  metricsToken?: string;
}): Promise<{ port: number; close(): Promise<void> }> {
  const probes = probeRoutes({ prefix: "", connect: async () => db, mode: "postgres", runtime, metricsToken });
  const server = http.createServer((request, response) => {
    if (probes(request, response)) return;
    const status = request.method !== "GET" && request.method !== "HEAD" ? 405 : 404;
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify({ error: status === 405 ? "Only GET is served here." : "Not found: this listener serves /health, /ready and /metrics." }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
