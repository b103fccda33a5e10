import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "./db";
import { migrationNames } from "../prisma/migration-names";
import type { Runtime } from "../runner/runtime";
import { refusedScrape } from "./metrics-access";
import { healthService, type Health } from "./services/health-service";

/**
 * Health (alive, the database answers), readiness (migrated, Redis answers, a worker takes jobs) and Prometheus
 * metrics (with METRICS_TOKEN as the bearer token), answered from plain Node requests: a worker's listener serves
 * them at /health, /ready and /metrics, the web process at /api/health, /api/ready and /api/metrics. Served before
 * Next.js, so monitoring an idle server does not load the editor's code. Returns false for any other request.
 */
export function probeRoutes({
  prefix,
  connect,
  mode,
  runtime,
  metricsToken,
}: {
  prefix: string;
  connect: () => Promise<Db>;
  mode: Health["mode"];
  runtime: Runtime;
  /** METRICS_TOKEN: metrics answer a scraper that sends it; unset, they are off. */
  metricsToken?: string;
}): (request: IncomingMessage, response: ServerResponse) => boolean {
  // The build's migrations do not change while it runs: the folder is listed at the first probe, not at each one.
  let migrations: Promise<string[]> | undefined;
  const send = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    response.end(JSON.stringify(body));
  };
  return (request, response) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const url = request.url ?? "/";
    const path = url.slice(0, (url.indexOf("?") + 1 || url.length + 1) - 1);
    if (path === `${prefix}/health`) {
      void healthService.check({ connect, mode }).then((health) => send(response, health.status === "ok" ? 200 : 503, health));
      return true;
    }
    if (path === `${prefix}/ready`) {
      migrations ??= migrationNames();
      void migrations
        .then((names) => healthService.ready({ connect, migrations: names, runtime }))
        .then((ready) => send(response, ready.status === "ready" ? 200 : 503, ready));
      return true;
    }
    if (path === `${prefix}/metrics`) {
      const refused = refusedScrape({ token: metricsToken, authorization: request.headers.authorization });
      if (refused) {
        send(response, refused.status, { error: refused.error });
        return true;
      }
      void runtime.metrics.scrape().then(({ contentType, body }) => {
        response.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        response.end(body);
      });
      return true;
    }
    return false;
  };
}
