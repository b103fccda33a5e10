import { readFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { startTestServer } from "../_kit/test-http-server";

// __dirname rather than import.meta: Playwright loads this module as CommonJS for the browser journeys.
const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");

/** Open-Meteo's two APIs on one loopback server, answering with recorded responses; it keeps every query it got. */
export async function openMeteo() {
  const requests: URL[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url!, "http://open-meteo.test");
    requests.push(url);
    const send = (status: number, body: string) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(body);
    };
    if (url.pathname === "/v1/search") {
      return send(200, fixture(url.searchParams.get("name") === "Berlin" ? "geocoding-berlin.json" : "geocoding-no-results.json"));
    }
    if (url.pathname === "/v1/forecast") {
      if (url.searchParams.get("current")?.includes("temprature_2m")) return send(400, fixture("forecast-invalid-variable.json"));
      if (url.searchParams.get("latitude") === "52.52") return send(200, fixture("forecast-berlin-metric.json"));
      return send(200, fixture("forecast-new-york-imperial.json"));
    }
    send(404, JSON.stringify({ error: true, reason: "Not Found" }));
  };
  const server = await startTestServer(handler);
  return { server, requests, base: { forecastBaseUrl: server.url, geocodingBaseUrl: server.url } };
}
