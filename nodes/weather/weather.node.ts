import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import { describeStatus } from "../_kit/http-status";
import type { Item } from "../_kit/items";
import { isPlainObject } from "../_kit/items";
import { LruCache } from "./forecast-cache";

export const OPEN_METEO_FORECAST_URL = "https://api.open-meteo.com";
export const OPEN_METEO_GEOCODING_URL = "https://geocoding-api.open-meteo.com";

const variable = z.string().regex(/^[a-z0-9_]+$/, "must be an Open-Meteo variable name such as temperature_2m");

const baseUrl = (fallback: string, title: string) =>
  z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// address" })
    .default(fallback)
    .meta({ title, description: "Change it for a self-hosted Open-Meteo or a mirror.", ...ui({ advanced: true }) });

export const weatherConfig = z.object({
  location: z
    .string()
    .trim()
    .min(1, "is required: a city name such as Berlin, or coordinates such as 52.52,13.41")
    .meta({ title: "City or lat,lon", ...ui({ expression: true, placeholder: "Berlin or 52.52,13.41" }) }),
  countryCode: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be a two-letter ISO country code such as DE")
    .optional()
    .meta({ title: "Country code", description: "Picks the city in this country when the name is ambiguous (Paris, FR or US).", ...ui({ expression: true }) }),
  units: z.enum(["metric", "imperial"]).default("metric").meta({ title: "Units", description: "Metric: °C, km/h, mm. Imperial: °F, mph, inch." }),
  current: z
    .array(variable)
    .default(["temperature_2m", "relative_humidity_2m", "apparent_temperature", "precipitation", "weather_code", "wind_speed_10m", "wind_direction_10m"])
    .meta({ title: "Current conditions", description: "Open-Meteo variables for now; leave empty for none." }),
  hourly: z.array(variable).default([]).meta({ title: "Hourly forecast", description: "Variables per hour, such as temperature_2m or precipitation_probability." }),
  daily: z
    .array(variable)
    .default(["weather_code", "temperature_2m_max", "temperature_2m_min", "precipitation_sum"])
    .meta({ title: "Daily forecast", description: "Variables per day, such as temperature_2m_max or sunrise." }),
  forecastDays: z.number().int().min(1).max(16).default(3).meta({ title: "Forecast days" }),
  timezone: z
    .string()
    .trim()
    .min(1)
    .default("auto")
    .meta({ title: "Time zone", description: "Times in the result are in this zone; auto uses the place's own.", ...ui({ advanced: true }) }),
  forecastBaseUrl: baseUrl(OPEN_METEO_FORECAST_URL, "Forecast API base URL"),
  geocodingBaseUrl: baseUrl(OPEN_METEO_GEOCODING_URL, "Geocoding API base URL"),
});

export type WeatherConfig = z.output<typeof weatherConfig>;

const UNIT_PARAMS = {
  metric: { temperature_unit: "celsius", wind_speed_unit: "kmh", precipitation_unit: "mm" },
  imperial: { temperature_unit: "fahrenheit", wind_speed_unit: "mph", precipitation_unit: "inch" },
} as const;

const COORDINATES = /^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$/;

interface Place {
  query: string;
  name: string | null;
  country: string | null;
  countryCode: string | null;
  admin1: string | null;
  latitude: number;
  longitude: number;
}

interface GeocodingResult {
  name: string;
  latitude: number;
  longitude: number;
  country?: string;
  country_code?: string;
  admin1?: string;
}

interface ForecastResponse {
  latitude: number;
  longitude: number;
  elevation?: number;
  timezone?: string;
  utc_offset_seconds?: number;
  current?: Record<string, unknown>;
  current_units?: Record<string, string>;
  hourly?: Record<string, unknown[]>;
  hourly_units?: Record<string, string>;
  daily?: Record<string, unknown[]>;
  daily_units?: Record<string, string>;
}

function parseCoordinates(location: string): { latitude: number; longitude: number } | null {
  const match = COORDINATES.exec(location);
  if (!match) return null;
  const latitude = Number(match[1]);
  const longitude = Number(match[2]);
  if (latitude < -90 || latitude > 90 || longitude < -180 || longitude > 180) {
    throw new NodeConfigError(`"${location}" is not a place on Earth: latitude goes from -90 to 90 and longitude from -180 to 180 (write lat,lon)`);
  }
  return { latitude, longitude };
}

/** Open-Meteo's grid is a few kilometres wide: two decimals (about 1 km) name the same forecast and share a cache entry. */
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Open-Meteo answers columns (`time: [...]`, `temperature_2m: [...]`); flows read rows more easily. */
function toRows(columns: Record<string, unknown[]> | undefined): Record<string, unknown>[] {
  if (!columns) return [];
  const names = Object.keys(columns);
  const length = Math.max(0, ...names.map((n) => (Array.isArray(columns[n]) ? columns[n].length : 0)));
  return Array.from({ length }, (_, i) => Object.fromEntries(names.map((n) => [n, columns[n]?.[i] ?? null])));
}

async function getJson(args: { ctx: NodeContext<WeatherConfig>; url: URL; what: string }): Promise<unknown> {
  const { ctx, url, what } = args;
  const response = await ctx.http.request({ url: url.toString(), headers: { accept: "application/json" }, timeoutMs: 15_000, signal: ctx.signal });
  const text = response.body.toString("utf8");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text.slice(0, 500);
  }
  if (response.status >= 400) {
    // Open-Meteo explains refusals as {"error": true, "reason": "..."}.
    const reason = isPlainObject(body) && typeof body.reason === "string" ? body.reason : typeof body === "string" ? body : "";
    const hint = response.status === 400 ? "; check the variable names and the time zone" : "";
    throw new NodeExternalError(`Open-Meteo ${what} answered ${describeStatus(response.status)}${reason ? `: ${reason}` : ""}${hint}`, {
      status: response.status,
      retryable: response.status >= 500 || response.status === 429,
      details: { url: `${url.origin}${url.pathname}`, body, retryAfter: response.headers["retry-after"] },
    });
  }
  if (!isPlainObject(body)) {
    throw new NodeExternalError(`Open-Meteo ${what} at ${url.origin} did not answer with a JSON object; check the base URL`, {
      status: response.status,
      retryable: false,
    });
  }
  return body;
}

export interface WeatherNodeOptions {
  /** The clock that picks the cache's hour; tests move it. */
  now?: () => number;
  /** How many forecasts (and, separately, city look-ups) the process keeps. */
  cacheSize?: number;
}

/**
 * The weather node with its own caches. Forecasts are kept per rounded location, units, variables and clock hour,
 * so a flow that runs every minute asks Open-Meteo once an hour per place; city look-ups are kept by name, since
 * a city does not move. Both are bounded LRU maps: the oldest entries go first, memory stays flat.
 */
export function createWeatherNode(options: WeatherNodeOptions = {}) {
  const now = options.now ?? Date.now;
  const places = new LruCache<Place>(options.cacheSize ?? 500);
  const forecasts = new LruCache<ForecastResponse>(options.cacheSize ?? 500);

  async function resolvePlace(ctx: NodeContext<WeatherConfig>, config: WeatherConfig): Promise<Place> {
    const coordinates = parseCoordinates(config.location);
    if (coordinates) return { query: config.location, name: null, country: null, countryCode: null, admin1: null, ...coordinates };

    const countryCode = config.countryCode?.toUpperCase();
    const key = JSON.stringify([config.geocodingBaseUrl, config.location.toLowerCase(), countryCode ?? ""]);
    const cached = places.get(key);
    if (cached) return { ...cached, query: config.location };

    const url = new URL("/v1/search", config.geocodingBaseUrl);
    url.searchParams.set("name", config.location);
    url.searchParams.set("count", "1");
    url.searchParams.set("language", "en");
    url.searchParams.set("format", "json");
    if (countryCode) url.searchParams.set("countryCode", countryCode);
    const body = (await getJson({ ctx, url, what: "geocoding" })) as { results?: GeocodingResult[] };
    const found = body.results?.[0];
    if (!found) {
      const where = countryCode ? ` in country ${countryCode}` : "";
      throw new NodeConfigError(`No place named "${config.location}" was found${where}; check the spelling, or give coordinates as lat,lon`, {
        details: { location: config.location, countryCode },
      });
    }
    const place: Place = {
      query: config.location,
      name: found.name,
      country: found.country ?? null,
      countryCode: found.country_code ?? null,
      admin1: found.admin1 ?? null,
      latitude: found.latitude,
      longitude: found.longitude,
    };
    places.set(key, place);
    return place;
  }

  async function forecastFor(ctx: NodeContext<WeatherConfig>, config: WeatherConfig, place: Place) {
    const latitude = round2(place.latitude);
    const longitude = round2(place.longitude);
    const hour = Math.floor(now() / 3_600_000);
    const key = JSON.stringify([
      config.forecastBaseUrl,
      latitude,
      longitude,
      config.units,
      config.current,
      config.hourly,
      config.daily,
      config.forecastDays,
      config.timezone,
      hour,
    ]);
    const cached = forecasts.get(key);
    if (cached) return { forecast: cached, fromCache: true };

    const url = new URL("/v1/forecast", config.forecastBaseUrl);
    url.searchParams.set("latitude", String(latitude));
    url.searchParams.set("longitude", String(longitude));
    if (config.current.length) url.searchParams.set("current", config.current.join(","));
    if (config.hourly.length) url.searchParams.set("hourly", config.hourly.join(","));
    if (config.daily.length) url.searchParams.set("daily", config.daily.join(","));
    url.searchParams.set("forecast_days", String(config.forecastDays));
    url.searchParams.set("timezone", config.timezone);
    for (const [name, value] of Object.entries(UNIT_PARAMS[config.units])) url.searchParams.set(name, value);
    const forecast = (await getJson({ ctx, url, what: "forecast" })) as ForecastResponse;
    forecasts.set(key, forecast);
    return { forecast, fromCache: false };
  }

  return defineNode({
    type: "weather.forecast",
    version: 1,
    name: "Weather",
    description: "Current weather and the forecast for a city or coordinates, from Open-Meteo.",
    category: "data",
    icon: "cloud-sun",
    config: weatherConfig,
    async execute({ input, ctx }) {
      const out: Item[] = [];
      for await (const { index: i, config } of eachItem({ input, ctx, evenIfEmpty: true })) {
        const place = await resolvePlace(ctx, config);
        const { forecast, fromCache } = await forecastFor(ctx, config, place);
        ctx.logger.debug({ location: config.location, fromCache, itemIndex: i }, "weather forecast");
        out.push({
          json: {
            location: { ...place, elevation: forecast.elevation ?? null, timezone: forecast.timezone ?? null },
            units: config.units,
            current: forecast.current ?? null,
            currentUnits: forecast.current_units ?? null,
            hourly: toRows(forecast.hourly),
            hourlyUnits: forecast.hourly_units ?? null,
            daily: toRows(forecast.daily),
            dailyUnits: forecast.daily_units ?? null,
            fromCache,
          },
        });
      }
      return out;
    },
  });
}

export const weatherNode = createWeatherNode();
