import { z } from "zod";
import { apiKeyScopeNames, apiKeyScopes, permissions, scopesGrant, type Permission } from "../services/workspace-roles";
import { pathParameters, procedurePermission, restRoutes, type RestRoute } from "./rest-routes";

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; required?: string[] };

/**
 * A schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses): a procedure's input as a client sends it (defaults make
 * fields optional), or an answer; dates are ISO 8601 text either way.
 */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    reused: "inline",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "date") Object.assign(jsonSchema, { type: "string", format: "date-time" });
    },
  }) as JsonSchema;
  return rest;
}


const errorBody = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, …" },
        message: { type: "string", description: "What was wrong, in words a person can act on." },
        issues: { type: "array", description: "For a refused input: each problem with its path.", items: { type: "object" } },
      },
    },
  },
};

const rateHeaders = {
  "RateLimit-Limit": { description: "Requests the key may make at once (its bucket's size).", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "Requests left in the bucket.", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "Seconds until the bucket is full again.", schema: { type: "integer" } },
};

const errorResponse = (description: string, headers?: Record<string, unknown>) => ({ description, ...(headers ? { headers } : {}), content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

function operation(route: RestRoute) {
  const permission: Permission = procedurePermission(route.procedure)!;
  const params = pathParameters(route.path);
  const input = route.request?.input ?? route.input;
  const bodyText = route.request?.bodyText;
  const omitted: Record<string, true> = Object.fromEntries(["workspaceId", ...params, ...(bodyText ? [bodyText.field] : [])].map((name) => [name, true] as const));
  const rest = jsonSchemaOf(input.omit(omitted as Record<string, true> & Record<number, never>));
  const scopes = apiKeyScopeNames.filter((scope) => scopesGrant({ scopes: [scope], permission }));
  const parameters = params.map((name) => ({ name, in: "path", required: true, schema: jsonSchemaOf(input.shape[name] as z.ZodType) }));
  // A mapped request takes its options in the query, whatever its method; its body, if any, is a file.
  if (route.method === "GET" || route.request) {
    for (const [name, schema] of Object.entries(rest.properties ?? {})) {
      parameters.push({ name, in: "query", required: rest.required?.includes(name) ?? false, schema });
    }
  }
  return {
    operationId: route.procedure.replace(/\.(\w)/, (_m, c: string) => c.toUpperCase()),
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, `Needs a key with the ${scopes.map((s) => `\`${s}\``).join(" or ")} scope (${permissions[permission].what})`].filter(Boolean).join("\n\n"),
    "x-streamware-permission": permission,
    parameters,
    ...(bodyText
      ? { requestBody: { required: true, content: { "application/json": { schema: { type: "object", description: bodyText.description } } } } }
      : route.method === "GET" || route.request
        ? {}
        : { requestBody: { required: (rest.required?.length ?? 0) > 0, content: { "application/json": { schema: rest } } } }),
    responses: {
      [String(route.status ?? 200)]: { description: route.returns, headers: rateHeaders, content: { "application/json": { schema: jsonSchemaOf(route.response, "output") } } },
      "400": errorResponse("The input was refused; `issues` says where."),
      "401": errorResponse("No API key, or one that is not valid, revoked or expired."),
      "403": errorResponse("The key's scopes, or its creator's role, do not allow this."),
      "404": errorResponse("Not found in the key's workspace (ids of other workspaces are answered the same)."),
      "429": errorResponse("The key made too many requests; wait as long as Retry-After says.", { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } }, ...rateHeaders }),
    },
  };
}

/** The OpenAPI 3.1 document of /api/v1, generated from the procedures' own zod schemas and permissions. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of restRoutes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: "3.1.0",
    info: {
      title: "Streamware REST API",
      version: "1",
      description: [
        "Work with a workspace's flows, versions, runs and credentials from programs. Authenticate with a workspace API key (Settings → API keys): `Authorization: Bearer swk_…`.",
        "Each key belongs to one workspace and acts within its scopes, never beyond what the member who made it may do now:",
        ...apiKeyScopeNames.map((scope) => `- \`${scope}\`: ${apiKeyScopes[scope].what}`),
        "",
        "Requests are limited per key (a token bucket; the RateLimit-* headers say where a key stands). Errors are `{ \"error\": { \"code\", \"message\" } }` with the HTTP status.",
      ].join("\n"),
    },
    servers: [{ url: "/api/v1" }],
    security: [{ apiKey: [] }],
    tags: [
      { name: "Flows" },
      { name: "Versions", description: "Saved, immutable versions of a flow." },
      { name: "Activation", description: "Which version webhooks, schedules and listeners run." },
      { name: "Runs" },
      { name: "Credentials", description: "Secrets go in and never come out." },
      { name: "Import and export", description: "Flows and whole workspaces as files, with the same bytes for the same flows; imports of those files and of n8n and Node-RED exports." },
    ],
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", bearerFormat: "swk_…", description: "A workspace API key, made under Settings → API keys." } },
      schemas: { Error: errorBody },
    },
  };
}
