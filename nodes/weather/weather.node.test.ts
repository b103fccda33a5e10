import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers } from "../_kit/test-http-server";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { failure, runNode } from "../../runner/node-testing";
import { createWeatherNode } from "./weather.node";
import { openMeteo } from "./weather-test-server";

const loopback = createHttpClient({ allow: ["127.0.0.1"] });

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await loopback.close();
});

interface WeatherJson {
  location: Record<string, unknown>;
  current: Record<string, unknown>;
  currentUnits: Record<string, string>;
  hourly: Record<string, unknown>[];
  daily: Record<string, unknown>[];
  fromCache: boolean;
}

function clock(start = Date.UTC(2025, 5, 12, 14, 5)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

async function run(node: ReturnType<typeof createWeatherNode>, config: Record<string, unknown>, input: Item[] = [{ json: {} }]) {
  const { items } = await runNode(node, { config, input, http: loopback });
  return items;
}

describe("weather.forecast", () => {
  it("finds a city by name, then asks for the current weather and the forecast at its coordinates", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const [item] = await run(node, { location: "Berlin", hourly: ["temperature_2m", "precipitation_probability"], ...api.base });

    const [search, forecast] = api.requests;
    expect(search!.pathname).toBe("/v1/search");
    expect(Object.fromEntries(search!.searchParams)).toEqual({ name: "Berlin", count: "1", language: "en", format: "json" });
    expect(forecast!.pathname).toBe("/v1/forecast");
    expect(Object.fromEntries(forecast!.searchParams)).toEqual({
      latitude: "52.52",
      longitude: "13.41",
      current: "temperature_2m,relative_humidity_2m,apparent_temperature,precipitation,weather_code,wind_speed_10m,wind_direction_10m",
      hourly: "temperature_2m,precipitation_probability",
      daily: "weather_code,temperature_2m_max,temperature_2m_min,precipitation_sum",
      forecast_days: "3",
      timezone: "auto",
      temperature_unit: "celsius",
      wind_speed_unit: "kmh",
      precipitation_unit: "mm",
    });

    const json = item!.json as unknown as WeatherJson;
    expect(json.location).toMatchObject({ query: "Berlin", name: "Berlin", country: "Germany", countryCode: "DE", latitude: 52.52437, timezone: "Europe/Berlin", elevation: 38 });
    expect(json.current).toMatchObject({ time: "2025-06-12T14:15", temperature_2m: 21.4, weather_code: 2 });
    expect(json.currentUnits.temperature_2m).toBe("°C");
    expect(json.daily).toEqual([
      { time: "2025-06-12", weather_code: 3, temperature_2m_max: 22.3, temperature_2m_min: 12.9, precipitation_sum: 0 },
      { time: "2025-06-13", weather_code: 61, temperature_2m_max: 19.8, temperature_2m_min: 13.4, precipitation_sum: 4.2 },
      { time: "2025-06-14", weather_code: 1, temperature_2m_max: 24.1, temperature_2m_min: 11.7, precipitation_sum: 0 },
    ]);
    expect(json.hourly).toHaveLength(72);
    expect(json.hourly[0]).toEqual({ time: "2025-06-12T00:00", temperature_2m: expect.any(Number), precipitation_probability: 0 });
    expect(json.fromCache).toBe(false);
  });

  it("takes lat,lon directly without a look-up and asks for imperial units", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const [item] = await run(node, {
      location: "40.7128, -74.0060",
      units: "imperial",
      current: ["temperature_2m", "wind_speed_10m", "precipitation"],
      daily: ["temperature_2m_max", "temperature_2m_min", "precipitation_sum"],
      forecastDays: 1,
      ...api.base,
    });
    expect(api.requests.map((u) => u.pathname)).toEqual(["/v1/forecast"]);
    expect(Object.fromEntries(api.requests[0]!.searchParams)).toMatchObject({
      latitude: "40.71",
      longitude: "-74.01",
      temperature_unit: "fahrenheit",
      wind_speed_unit: "mph",
      precipitation_unit: "inch",
      forecast_days: "1",
    });
    expect(api.requests[0]!.searchParams.has("hourly")).toBe(false);
    const json = item!.json as unknown as WeatherJson;
    expect(json.location).toMatchObject({ query: "40.7128, -74.0060", name: null, latitude: 40.7128, longitude: -74.006 });
    expect(json.currentUnits).toMatchObject({ temperature_2m: "°F", wind_speed_10m: "mp/h" });
    expect(json.daily).toEqual([{ time: "2025-06-12", temperature_2m_max: 79.3, temperature_2m_min: 63.1, precipitation_sum: 0.02 }]);
    expect(json.hourly).toEqual([]);
  });

  it("answers a repeat within the hour from its cache, and asks again in the next hour or for other units", async () => {
    const api = await openMeteo();
    const time = clock();
    const node = createWeatherNode({ now: time.now });
    await run(node, { location: "Berlin", ...api.base });
    expect(api.requests).toHaveLength(2);

    const [again] = await run(node, { location: "Berlin", ...api.base });
    expect(api.requests).toHaveLength(2);
    expect(again!.json.fromCache).toBe(true);
    expect((again!.json.current as Record<string, unknown>).temperature_2m).toBe(21.4);

    // Coordinates that round to the same grid point share the entry.
    await run(node, { location: "52.5201,13.4101", ...api.base });
    expect(api.requests).toHaveLength(2);

    await run(node, { location: "Berlin", units: "imperial", ...api.base });
    expect(api.requests.map((u) => u.pathname)).toEqual(["/v1/search", "/v1/forecast", "/v1/forecast"]);

    time.advance(60 * 60 * 1000);
    const [nextHour] = await run(node, { location: "Berlin", ...api.base });
    // The city is not looked up again; the forecast is.
    expect(api.requests.map((u) => u.pathname)).toEqual(["/v1/search", "/v1/forecast", "/v1/forecast", "/v1/forecast"]);
    expect(nextHour!.json.fromCache).toBe(false);
  });

  it("keeps no more entries than its bound", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now, cacheSize: 2 });
    for (const location of ["52.52,13.41", "40.71,-74.01", "48.85,2.35"]) await run(node, { location, ...api.base });
    expect(api.requests).toHaveLength(3);
    await run(node, { location: "48.85,2.35", ...api.base });
    expect(api.requests).toHaveLength(3);
    // The first place was pushed out by the third.
    await run(node, { location: "52.52,13.41", ...api.base });
    expect(api.requests).toHaveLength(4);
  });

  it("reads the location from each item", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const out = await run(node, { location: "{{ $json.where }}", ...api.base }, [{ json: { where: "Berlin" } }, { json: { where: "40.71,-74.01" } }]);
    expect(out.map((i) => (i.json.location as { timezone: string }).timezone)).toEqual(["Europe/Berlin", "America/New_York"]);
  });

  it("names an unknown city in a config error", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const err = await failure(run(node, { location: "Atlantis", countryCode: "gr", ...api.base }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toBe('No place named "Atlantis" was found in country GR; check the spelling, or give coordinates as lat,lon');
    expect(api.requests[0]!.searchParams.get("countryCode")).toBe("GR");
  });

  it("refuses coordinates off the globe before any request", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const err = await failure(run(node, { location: "95,13", ...api.base }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain("latitude goes from -90 to 90");
    expect(api.requests).toHaveLength(0);
  });

  it("passes on Open-Meteo's reason for refusing a variable, not retryable", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const err = (await failure(run(node, { location: "52.52,13.41", current: ["temprature_2m"], ...api.base }))) as NodeExternalError;
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.status).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.message).toContain("invalid String value temprature_2m");
  });

  it("rejects a variable name that is not one before any request", async () => {
    const node = createWeatherNode({ now: clock().now });
    const err = await failure(run(node, { location: "52.52,13.41", daily: ["temperature max"] }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain("daily.0: must be an Open-Meteo variable name");
  });

  it("says in words that a geocoding host does not exist, naming it, with the system's error after", async () => {
    const node = createWeatherNode({ now: clock().now });
    const err = await failure(runNode(node, { config: { location: "Berlin", geocodingBaseUrl: "https://geocoding-api.open-meteo.invalid" }, input: [{ json: {} }], http: loopback }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toMatch(/^Could not reach geocoding-api\.open-meteo\.invalid \(no such host\); .+ \(GET https:\/\/geocoding-api\.open-meteo\.invalid\/v1\/search: getaddrinfo ENOTFOUND geocoding-api\.open-meteo\.invalid\)$/);
  });

  it("goes through the SSRF guard: a private base URL is refused unless allowed", async () => {
    const api = await openMeteo();
    const node = createWeatherNode({ now: clock().now });
    const err = await failure(runNode(node, { config: { location: "52.52,13.41", ...api.base }, input: [{ json: {} }] }));
    expect(err.message).toMatch(/loopback/);
    expect(api.requests).toHaveLength(0);
  });
});
