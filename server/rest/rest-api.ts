import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Logger } from "pino";
import { ZodError, type z } from "zod";
import type { RateDecision } from "../../runner/rate-limiter";
import { sharedRateLimiter, type Allowance, type SharedRateLimiter } from "../../runner/rate-limits";
import { createContextInner } from "../context-inner";
import type { SecretBox } from "../crypto";
import type { Db } from "../db";
import { appRouter } from "../routers/_app";
import { auditOriginOfNode, withAuditOrigin } from "../services/audit-origin";
import { apiKeyScopeNames, permissions, scopesGrant, type Permission } from "../services/workspace-roles";
import { ApiKeyAuthenticator, type ActingApiKey } from "./api-key-auth";
import { openApiDocument } from "./openapi";
import { pathParameters, procedurePermission, restRoutes, type RestRoute } from "./rest-routes";
import { BodyTooLarge, readBody } from "../../runner/http-body";

export const REST_PREFIX = "/api/v1";
export const OPENAPI_PATH = `${REST_PREFIX}/openapi.json`;

/** A failed request's answer: `{ error: { code, message } }`, with the zod issues when the input was refused. */
class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { issues?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

interface CompiledRoute extends RestRoute {
  pattern: RegExp;
  params: string[];
  permission: Permission;
}

type Caller = ReturnType<typeof appRouter.createCaller>;
type Procedure = (input: unknown) => Promise<unknown>;

function compile(route: RestRoute): CompiledRoute {
  const permission = procedurePermission(route.procedure);
  if (!permission) throw new Error(`REST route ${route.method} ${route.path} names ${route.procedure}, which is not a workspace procedure`);
  const pattern = new RegExp(`^${route.path.replace(/\{\w+\}/g, "([^/]+)")}$`);
  return { ...route, pattern, params: pathParameters(route.path), permission };
}

/** The schema under optional, default and nullable wrappers: what a text value from a path or query is turned into. */
function baseType(schema: z.ZodType): string {
  let def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  while (def.innerType && (def.type === "optional" || def.type === "default" || def.type === "nullable")) {
    def = (def.innerType as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  }
  return def.type;
}

/**
 * Path and query values arrive as text; the procedure's schema says which are numbers, dates or booleans. A value
 * that does not read as its type is passed on as text, for the schema to refuse with its own message.
 */
function fromText({ input, values }: { input: z.ZodObject; values: Record<string, string> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(values)) {
    const field = input.shape[name] as z.ZodType | undefined;
    const type = field ? baseType(field) : "string";
    if (type === "number" && /^-?\d+(\.\d+)?$/.test(text)) out[name] = Number(text);
    else if (type === "date" && !Number.isNaN(Date.parse(text))) out[name] = new Date(text);
    else if (type === "boolean" && (text === "true" || text === "false")) out[name] = text === "true";
    else out[name] = text;
  }
  return out;
}

function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? Number(v) : v));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const payload = body === undefined ? "" : jsonOf(body);
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(payload), "cache-control": "no-store" });
  res.end(payload);
}

/** An export as the file itself, named for a download (the name is made of letters, digits, dots and dashes). */
function sendFile(res: ServerResponse, { fileName, text }: { fileName: string; text: string }, headers: Record<string, string>): void {
  res.writeHead(200, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-disposition": `attachment; filename="${fileName}"`,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

function rateHeaders(decision: RateDecision, perMinute: number): Record<string, string> {
  if (decision.limit === 0) return {};
  return {
    "ratelimit-limit": String(decision.limit),
    "ratelimit-remaining": String(decision.remaining),
    "ratelimit-reset": String(decision.reset),
    "ratelimit-policy": `${perMinute};w=60`,
  };
}

function issuesMessage(error: ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
}

/** A procedure's refusal as the REST API answers it: the HTTP status tRPC gives the same code. */
function restErrorOf(err: unknown): RestError | null {
  if (err instanceof RestError) return err;
  if (!(err instanceof TRPCError) || err.code === "INTERNAL_SERVER_ERROR") return null;
  const status = getHTTPStatusCodeFromError(err);
  if (err.cause instanceof ZodError) return new RestError(status, err.code, issuesMessage(err.cause), { issues: err.cause.issues });
  return new RestError(status, err.code, err.message);
}

export interface RestApiOptions {
  db: Db;
  secretBox: () => SecretBox;
  logger: Logger;
  /** Requests a key may make a minute, with bursts up to as many at once; 0 turns the limit off. */
  rateLimitPerMinute: number;
  maxBodyBytes: number;
  /** How long a verified key is trusted from memory; other processes see a revocation within this time. */
  keyCacheMs: number;
  /** Where the allowances are counted: the runtime's limiters (across processes in queue mode); this process's memory by default. */
  rateLimiter?: (name: string, allowance: Allowance) => SharedRateLimiter;
}

/**
 * The public REST API at /api/v1, answered on the lean path before Next.js (like webhooks): every operation is a
 * tRPC procedure called as the key's creator, within the key's scopes, with the events it causes recorded as the
 * key's. Returns the request handler (false for requests it does not serve) and `close`.
 */
export function createRestApi(options: RestApiOptions) {
  const routes = restRoutes.map(compile);
  const keys = new ApiKeyAuthenticator({ db: options.db, logger: options.logger, ttlMs: options.keyCacheMs });
  const perMinute = options.rateLimitPerMinute;
  const limiterOf = options.rateLimiter ?? ((name: string, allowance: Allowance) => sharedRateLimiter({ name, allowance, redis: null }));
  const limiter = limiterOf("api-key", { perSecond: perMinute / 60, burst: perMinute });
  // Refused keys are counted by address with the same allowance, so guessing costs the guesser, not the database.
  const refusals = limiterOf("api-refused", { perSecond: perMinute / 60, burst: perMinute });
  let document: string | undefined;

  async function authenticate(req: IncomingMessage, origin: { ip: string | null }): Promise<{ key: ActingApiKey; decision: RateDecision }> {
    const check = await keys.authenticate(req.headers.authorization);
    if (!check.ok) {
      const refused = await refusals.take(`ip:${origin.ip ?? "unknown"}`);
      if (!refused.allowed) throw new RestError(429, "TOO_MANY_REQUESTS", "Too many requests with a refused API key from this address; wait before trying again.", { headers: { "retry-after": String(refused.retryAfter) } });
      throw new RestError(401, "UNAUTHORIZED", check.message, { headers: { "www-authenticate": 'Bearer realm="Streamware API"' } });
    }
    const decision = await limiter.take(check.key.id);
    if (!decision.allowed) {
      throw new RestError(429, "TOO_MANY_REQUESTS", `This API key made more than ${perMinute} requests in a minute; wait ${decision.retryAfter} s (see Retry-After).`, {
        headers: { ...rateHeaders(decision, perMinute), "retry-after": String(decision.retryAfter) },
      });
    }
    return { key: check.key, decision };
  }

  function match(method: string, path: string): { route: CompiledRoute; values: Record<string, string> } {
    let allowed: string[] = [];
    for (const route of routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed = [...allowed, route.method];
        continue;
      }
      const values: Record<string, string> = {};
      route.params.forEach((name, i) => {
        try {
          values[name] = decodeURIComponent(found[i + 1]!);
        } catch {
          throw new RestError(400, "BAD_REQUEST", `The ${name} in the path is not valid URL encoding.`);
        }
      });
      return { route, values };
    }
    if (allowed.length) throw new RestError(405, "METHOD_NOT_ALLOWED", `${REST_PREFIX}${path} accepts ${allowed.join(", ")}, not ${method}.`, { headers: { allow: allowed.join(", ") } });
    throw new RestError(404, "NOT_FOUND", `There is no ${REST_PREFIX}${path}; the operations are listed at ${OPENAPI_PATH}.`);
  }

  /** Reads the body within `maxBytes`, refusing a larger one with 413 before or while it arrives. */
  async function bodyOf({ req, maxBytes, limit }: { req: IncomingMessage; maxBytes: number; limit: string }): Promise<Buffer> {
    const tooLarge = () => new RestError(413, "PAYLOAD_TOO_LARGE", `The body is larger than ${limit}.`, { headers: { connection: "close" } });
    if (Number(req.headers["content-length"] ?? 0) > maxBytes) {
      req.resume();
      throw tooLarge();
    }
    return readBody(req, maxBytes).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) throw tooLarge();
      throw err;
    });
  }

  function requireJson(req: IncomingMessage): void {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json" && !type.endsWith("+json")) throw new RestError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON, with Content-Type: application/json.");
  }

  async function inputOf({ req, route, values, query, workspaceId }: { req: IncomingMessage; route: CompiledRoute; values: Record<string, string>; query: URLSearchParams; workspaceId: string }) {
    const schema = route.request?.input ?? route.input;
    let fields: Record<string, unknown> = {};
    const bodyText = route.request?.bodyText;
    if (route.method === "GET" || route.request) {
      const entries: Record<string, string> = {};
      for (const [name, value] of query) entries[name] = value;
      fields = fromText({ input: schema, values: entries });
    }
    if (bodyText) {
      // The body is a file to import, read whole as text: the import itself says what is wrong with it, by path.
      const raw = await bodyOf({ req, maxBytes: bodyText.maxBytes, limit: `the import's limit of ${Math.round(bodyText.maxBytes / 1024 / 1024)} MB` });
      requireJson(req);
      fields[bodyText.field] = raw.toString("utf8");
    } else if (route.method !== "GET") {
      const raw = await bodyOf({ req, maxBytes: options.maxBodyBytes, limit: `the API's limit of ${options.maxBodyBytes} bytes (API_MAX_BODY_BYTES)` });
      if (raw.length > 0) {
        requireJson(req);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch (err) {
          throw new RestError(400, "BAD_REQUEST", `The body is not valid JSON: ${(err as Error).message}.`);
        }
        if (body === null || typeof body !== "object" || Array.isArray(body)) throw new RestError(400, "BAD_REQUEST", "The body must be a JSON object.");
        fields = { ...fields, ...(body as Record<string, unknown>) };
      }
    }
    // The workspace is the key's and the path names the resource: neither can be overridden from the query or body.
    return { ...fields, ...fromText({ input: schema, values }), workspaceId };
  }

  /** The procedure to call and its input: the route's own, or what its request mapping makes of the request. */
  function callOf(route: CompiledRoute, input: Record<string, unknown>): { procedure: string; input: unknown; alsoNeeds?: Permission[] } {
    if (!route.request) return { procedure: route.procedure, input };
    const parsed = route.request.input.safeParse(input);
    if (!parsed.success) throw new RestError(400, "BAD_REQUEST", issuesMessage(parsed.error), { issues: parsed.error.issues });
    const call = route.request.call(parsed.data);
    // The key's scopes were checked against the route's procedure; another one must need the same.
    if (procedurePermission(call.procedure) !== route.permission) throw new Error(`REST route ${route.path} calls ${call.procedure}, which needs another permission than ${route.procedure}`);
    return call;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.slice(REST_PREFIX.length) || "/";
    const method = req.method ?? "GET";
    if (url.pathname === OPENAPI_PATH && (method === "GET" || method === "HEAD")) {
      document ??= jsonOf(openApiDocument());
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(document), "cache-control": "no-cache" });
      res.end(method === "HEAD" ? undefined : document);
      return;
    }
    const origin = auditOriginOfNode(req.headers);
    let headers: Record<string, string> = {};
    try {
      const { key, decision } = await authenticate(req, origin);
      headers = rateHeaders(decision, perMinute);
      const { route, values } = match(method, path);
      if (!scopesGrant({ scopes: key.scopes, permission: route.permission })) {
        const needed = apiKeyScopeNames.filter((scope) => scopesGrant({ scopes: [scope], permission: route.permission }));
        throw new RestError(403, "FORBIDDEN", `This API key's scopes (${key.scopes.join(", ")}) do not cover ${route.method} ${REST_PREFIX}${route.path}: ${permissions[route.permission].what} Use a key with the ${needed.join(" or ")} scope.`);
      }
      const call = callOf(route, await inputOf({ req, route, values, query: url.searchParams, workspaceId: key.workspaceId }));
      for (const permission of call.alsoNeeds ?? []) {
        if (!scopesGrant({ scopes: key.scopes, permission })) {
          const needed = apiKeyScopeNames.filter((scope) => scopesGrant({ scopes: [scope], permission }));
          throw new RestError(403, "FORBIDDEN", `This request also needs a key that may do this: ${permissions[permission].what} This API key's scopes (${key.scopes.join(", ")}) do not; add the ${needed.join(" or ")} scope.`);
        }
      }
      const context = createContextInner({ db: options.db, user: { id: key.creator.id, email: key.creator.email, name: key.creator.name }, secretBox: options.secretBox });
      const caller: Caller = appRouter.createCaller(context);
      const [namespace, name] = call.procedure.split(".") as [string, string];
      const procedure = (caller as unknown as Record<string, Record<string, Procedure>>)[namespace]![name]!;
      const result = await withAuditOrigin({ ...origin, actor: { kind: "apiKey", id: key.id } }, () => procedure(call.input));
      if (route.file) sendFile(res, result as { fileName: string; text: string }, headers);
      else send(res, route.status ?? 200, result, headers);
    } catch (err) {
      const known = restErrorOf(err);
      if (!known) {
        options.logger.error({ err, method, path: url.pathname }, "REST API request failed");
        send(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "The request failed on the server; the reason is in the server's log." } }, headers);
        return;
      }
      send(res, known.status, { error: { code: known.code, message: known.message, ...(known.extra.issues ? { issues: known.extra.issues } : {}) } }, { ...headers, ...known.extra.headers });
    }
  }

  return {
    /** Answers the request if it is for /api/v1; false to let the next handler have it. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const raw = req.url ?? "";
      if (raw !== REST_PREFIX && !raw.startsWith(`${REST_PREFIX}/`) && !raw.startsWith(`${REST_PREFIX}?`)) return false;
      const url = new URL(raw, "http://streamware.invalid");
      serve(req, res, url).catch((err: unknown) => {
        options.logger.error({ err, url: raw }, "REST API request failed");
        send(res, 500, { error: { code: "INTERNAL_SERVER_ERROR", message: "The request failed on the server; the reason is in the server's log." } });
      });
      return true;
    },
    close(): void {
      keys.close();
    },
  };
}
