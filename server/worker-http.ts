import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "./db";
import { migrationNames } from "../prisma/migration-names";
import type { Runtime } from "../runner/runtime";
import { healthService } from "./services/health-service";

/**
 * A worker's small HTTP listener (WORKER_HTTP_PORT): `GET /health` (alive, the database answers) and `GET /ready`
 * (the database is migrated, Redis answers, the worker takes jobs), the same answers as the web process's
 * /api/health and /api/ready. Nothing else is served.
 */
export async function startWorkerHttp({ port, host, db, runtime }: { port: number; host?: string; db: Db; runtime: Runtime }): Promise<{ port: number; close(): Promise<void> }> {
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
    send(404, { error: "Not found: this listener serves /health and /ready." });
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
