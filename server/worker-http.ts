import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "./db";
import { migrationNames } from "../prisma/migration-names";
import type { Runtime } from "../runner/runtime";
import { refusedScrape } from "./metrics-access";
import { healthService } from "./services/health-service";

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
  const migrations = await migrationNames();
  const server = http.createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? "/", "http://worker").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, { error: "Only GET is served here." });
    if (path === "/health") {
      void healthService.check({ connect: async () => db, mode: "postgres" }).then((health) => send(health.status === "ok" ? 200 : 503, health));
      return;
    }
    if (path === "/ready") {
      void healthService.ready({ connect: async () => db, migrations, runtime }).then((ready) => send(ready.status === "ready" ? 200 : 503, ready));
      return;
    }
    if (path === "/metrics") {
      const refused = refusedScrape({ token: metricsToken, authorization: request.headers.authorization });
      if (refused) return send(refused.status, { error: refused.error });
      void runtime.metrics.scrape().then(({ contentType, body }) => {
        response.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        response.end(body);
      });
      return;
    }
    send(404, { error: "Not found: this listener serves /health, /ready and /metrics." });
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
