import { z } from "zod";
import type { NodeContext } from "../_kit/context";
import { defineNode, ui } from "../_kit/define-node";
import { eachItem } from "../_kit/each-item";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import { describeStatus } from "../_kit/http-status";
import type { Item } from "../_kit/items";
import { isPlainObject } from "../_kit/items";

export const HTTP_REQUEST_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const IDEMPOTENCY_HEADER = "Idempotency-Key";
/** Expressions keep their type, so `{{ $json.page }}` may be a number; on the wire everything is text. */
const textValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const header = z.object({
  name: z.string().regex(HEADER_NAME, "must be a header name such as \"Accept\"").meta({ title: "Name" }),
  value: textValue.meta({ title: "Value", ...ui({ expression: true }) }),
});

const queryParam = z.object({
  name: z.string().min(1).meta({ title: "Name" }),
  value: textValue.meta({ title: "Value", ...ui({ expression: true }) }),
});

/** One part of a multipart/form-data body: a text field, or one of the item's files. */
const formPart = z
  .object({
    name: z.string().min(1).meta({ title: "Name" }),
    value: textValue.optional().meta({ title: "Value", ...ui({ expression: true }) }),
    file: z.string().min(1).optional().meta({ title: "File", description: "The item's file to send, by its name in the item's files, such as \"data\"." }),
  })
  .refine((part) => (part.value === undefined) !== (part.file === undefined), { message: "give a part either a value or a file" });

/** The largest file sent as a body or a part: it is read into memory to be sent. */
export const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;

export const httpRequestConfig = z
  .object({
    method: z.enum(HTTP_REQUEST_METHODS).default("GET").meta({ title: "Method" }),
    url: z
      .string()
      .trim()
      .min(1, "is required")
      .meta({ title: "URL", description: "An http:// or https:// address.", ...ui({ expression: true, placeholder: "https://api.example.com/items" }) }),
    query: z.array(queryParam).default([]).meta({ title: "Query parameters", description: "Added to the URL's own.", ...ui({ widget: "keyValue" }) }),
    headers: z.array(header).default([]).meta({ title: "Headers", ...ui({ widget: "keyValue" }) }),
    bodyMode: z
      .enum(["none", "json", "text", "form", "multipart", "file"])
      .default("none")
      .meta({
        title: "Body",
        description: "JSON, plain text, an HTML form (application/x-www-form-urlencoded), a multipart form with files (multipart/form-data), or one of the item's files as it is.",
      }),
    body: z
      .json()
      .optional()
      .meta({
        title: "Body content",
        description: "JSON: an object or JSON text. Form: an object of fields, or encoded text. Text: sent as written.",
        ...ui({ widget: "json", expression: true }),
      }),
    parts: z.array(formPart).max(100).optional().meta({ title: "Form parts", description: "For a multipart body: text fields and the item's files." }),
    file: z
      .string()
      .min(1)
      .optional()
      .meta({ title: "File to send", description: "For a file body: the item's file by its name, \"data\" when empty; its type is the Content-Type unless a header sets one." }),
    responseFormat: z
      .enum(["auto", "json", "text", "binary"])
      .default("auto")
      .meta({
        title: "Response format",
        description: "Auto reads JSON and text by their content type and keeps anything else (images, PDFs) as a file.",
      }),
    output: z
      .enum(["response", "body"])
      .optional()
      .meta({
        title: "Items out",
        description: "The response (status, headers, body), the default; or only its body: a JSON object as the item, a JSON list as one item per entry, anything else as { data }.",
        ...ui({ optionLabels: { response: "The response", body: "Only the body" } }),
      }),
    timeoutMs: z.number().int().min(1).max(300_000).default(30_000).meta({ title: "Timeout (ms)", ...ui({ advanced: true }) }),
    followRedirects: z.boolean().default(true).meta({ title: "Follow redirects", description: "Up to 5; every hop is checked like the first.", ...ui({ advanced: true }) }),
    failOnStatus: z
      .boolean()
      .default(true)
      .meta({
        title: "Fail on error status",
        description: "Status 400 and above fails the node (5xx and 429 are retried when retries are on). Off: the status is passed on as data.",
        ...ui({ advanced: true }),
      }),
    idempotencyHeader: z
      .string()
      .trim()
      .regex(/^([!#$%&'*+.^_`|~0-9A-Za-z-]+)?$/, "must be a header name such as \"Idempotency-Key\", or empty to send none")
      .default(IDEMPOTENCY_HEADER)
      .meta({
        title: "Idempotency key header",
        description:
          "Sent with a key that stays the same when this step runs again in the same run (a retry, or after its worker was lost), so an API that honours it acts once. Empty: not sent.",
        ...ui({ advanced: true }),
      }),
  })
  .superRefine((config, issues) => {
    if ((config.method === "GET" || config.method === "HEAD") && config.bodyMode !== "none") {
      issues.addIssue({ code: "custom", path: ["bodyMode"], message: `a ${config.method} request carries no body; choose POST, PUT or PATCH, or set the body to none` });
    }
  });

export type HttpRequestConfig = z.output<typeof httpRequestConfig>;

const TEXT_TYPES = new Set(["application/javascript", "application/ecmascript", "application/xml", "application/x-www-form-urlencoded", "image/svg+xml"]);
const ERROR_BODY_CHARS = 2000;

function mimeTypeOf(headers: Record<string, string>): string {
  return (headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
}

const isJsonType = (mime: string) => mime === "application/json" || mime.endsWith("+json");
const isTextType = (mime: string) => mime.startsWith("text/") || mime.endsWith("+xml") || TEXT_TYPES.has(mime);

function utf8OrNull(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function tryJson(text: string): { value: unknown } | null {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/** Without the query string, which often carries keys, so messages and stored errors stay free of them. */
function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

function buildUrl(config: HttpRequestConfig, itemIndex: number): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new NodeConfigError(`URL "${config.url}" (item ${itemIndex}) is not a full address; write it as https://host/path`, { details: { itemIndex } });
  }
  for (const { name, value } of config.query) url.searchParams.append(name, value);
  return url;
}

function encodeForm(body: unknown): string {
  if (typeof body === "string") return body;
  if (!isPlainObject(body)) throw new NodeConfigError("A form body must be an object of fields, such as { \"name\": \"Ada\" }, or already encoded text");
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one === null || one === undefined) continue;
      form.append(name, typeof one === "object" ? JSON.stringify(one) : String(one));
    }
  }
  return form.toString();
}

/** One of the item's files, read to be sent, or a message naming what is missing. */
async function fileOf(args: { item: Item; name: string; ctx: NodeContext<HttpRequestConfig>; itemIndex: number }): Promise<{ bytes: Buffer; mimeType: string; fileName: string }> {
  const { item, name, ctx, itemIndex } = args;
  const ref = item.binary?.[name];
  if (!ref) {
    const has = Object.keys(item.binary ?? {});
    throw new NodeConfigError(`Item ${itemIndex} has no file "${name}" to send${has.length ? `; its files are ${has.map((n) => `"${n}"`).join(", ")}` : "; it has no files"}`, { details: { itemIndex } });
  }
  const size = await ctx.binary.size(ctx.run.workspaceId, ref);
  if (size > UPLOAD_MAX_BYTES) throw new NodeConfigError(`File "${name}" of item ${itemIndex} is ${size} bytes; at most ${UPLOAD_MAX_BYTES} are sent`, { details: { itemIndex } });
  return { bytes: await ctx.binary.read(ctx.run.workspaceId, ref), mimeType: ref.mimeType || "application/octet-stream", fileName: ref.fileName ?? name };
}

/** A multipart/form-data body, encoded by the platform's own FormData, with its boundary in the content type. */
async function encodeMultipart(args: { config: HttpRequestConfig; item: Item; ctx: NodeContext<HttpRequestConfig>; itemIndex: number }): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const part of args.config.parts ?? []) {
    if (part.file === undefined) {
      form.append(part.name, part.value ?? "");
      continue;
    }
    const file = await fileOf({ ...args, name: part.file });
    form.append(part.name, new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.fileName);
  }
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get("content-type")! };
}

async function encodeBody(args: { config: HttpRequestConfig; item: Item; ctx: NodeContext<HttpRequestConfig>; itemIndex: number }): Promise<{ body?: string | Buffer; contentType?: string }> {
  const { config } = args;
  if (config.bodyMode === "multipart") return encodeMultipart(args);
  if (config.bodyMode === "file") {
    const file = await fileOf({ ...args, name: config.file ?? "data" });
    return { body: file.bytes, contentType: file.mimeType };
  }
  return encodeData(config);
}

function encodeData(config: HttpRequestConfig): { body?: string; contentType?: string } {
  const { bodyMode, body } = config;
  if (bodyMode === "none" || body === undefined) return {};
  if (bodyMode === "json") {
    if (typeof body === "string") {
      if (!tryJson(body)) throw new NodeConfigError("The JSON body is not valid JSON; check quotes and commas, or give an object instead of text");
      return { body, contentType: "application/json" };
    }
    return { body: JSON.stringify(body), contentType: "application/json" };
  }
  if (bodyMode === "form") return { body: encodeForm(body), contentType: "application/x-www-form-urlencoded" };
  return { body: typeof body === "string" ? body : JSON.stringify(body), contentType: "text/plain; charset=utf-8" };
}

/** Later entries replace earlier ones whatever their case, so the credential's header wins over a typed one. */
function mergeHeaders(...lists: { name: string; value: string }[][]): Record<string, string> {
  const byLowerName = new Map<string, [string, string]>();
  for (const list of lists) for (const { name, value } of list) byLowerName.set(name.toLowerCase(), [name, value]);
  return Object.fromEntries(byLowerName.values());
}

function credentialHeader(credentials: Record<string, string> | null): { name: string; value: string }[] {
  if (!credentials) return [];
  const { name, value } = credentials;
  if (!name || !HEADER_NAME.test(name) || value === undefined) {
    throw new NodeConfigError("The header credential needs a header name (such as \"X-API-Key\") and a value; edit the credential");
  }
  return [{ name, value }];
}

function fileNameOf(headers: Record<string, string>, url: string): string | undefined {
  const disposition = headers["content-disposition"] ?? "";
  const encoded = /filename\*\s*=\s*(?:utf-8|UTF-8)''([^;]+)/.exec(disposition)?.[1];
  if (encoded) {
    try {
      return decodeURIComponent(encoded.trim());
    } catch {
      // A malformed filename* falls back to the plain filename or the URL.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition)?.[1];
  if (plain) return plain.trim();
  const last = new URL(url).pathname.split("/").pop();
  if (!last) return undefined;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function errorBody(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  const parsed = tryJson(text);
  if (parsed) return parsed.value;
  return text.length > ERROR_BODY_CHARS ? `${text.slice(0, ERROR_BODY_CHARS)}…` : text;
}

function statusError(args: { method: string; url: string; status: number; headers: Record<string, string>; body: Buffer; itemIndex: number }): NodeExternalError {
  const { method, url, status, headers, body, itemIndex } = args;
  const upstream = errorBody(body);
  const excerpt = (typeof upstream === "string" ? upstream : JSON.stringify(upstream)).replace(/\s+/g, " ").trim().slice(0, 200);
  const message = `${method} ${describeUrl(url)} answered ${describeStatus(status)}${excerpt ? `: ${excerpt}` : ""}`;
  return new NodeExternalError(message, {
    status,
    retryable: status >= 500 || status === 429,
    details: { url: describeUrl(url), itemIndex, body: upstream, retryAfter: headers["retry-after"] },
  });
}

async function readBody(args: {
  format: HttpRequestConfig["responseFormat"];
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
  url: string;
  ctx: NodeContext<HttpRequestConfig>;
}): Promise<Pick<Item, "binary"> & { body: unknown }> {
  const { format, status, headers, bytes, url, ctx } = args;
  const mime = mimeTypeOf(headers);
  const asBinary = async () => {
    const ref = await ctx.binary.put(bytes, {
      workspaceId: ctx.run.workspaceId,
      mimeType: mime || "application/octet-stream",
      fileName: fileNameOf(headers, url),
    });
    return { body: null, binary: { data: ref } };
  };

  if (format === "binary") return asBinary();
  if (format === "text") return { body: bytes.toString("utf8") };
  if (format === "json") {
    if (bytes.length === 0) return { body: null };
    const parsed = tryJson(bytes.toString("utf8"));
    if (!parsed) {
      throw new NodeExternalError(`${describeUrl(url)} answered with a body that is not JSON (${mime || "no content type"}); set the response format to text or auto`, {
        status,
        retryable: false,
        details: { url: describeUrl(url), body: errorBody(bytes) },
      });
    }
    return { body: parsed.value };
  }

  if (bytes.length === 0) return { body: null };
  const text = isJsonType(mime) || isTextType(mime) ? bytes.toString("utf8") : mime ? null : utf8OrNull(bytes);
  if (text === null) return asBinary();
  if (isTextType(mime)) return { body: text };
  const parsed = tryJson(text);
  return { body: parsed ? parsed.value : text };
}

/** Only the body as items: an object is the item, a list one item per entry, anything else `{ data }`; a file beside. */
function bodyItems(body: unknown, binary: Item["binary"]): Item[] {
  const asJson = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : value === null && binary ? {} : { data: value });
  const items = Array.isArray(body) ? body.map((entry) => ({ json: asJson(entry) })) : [{ json: asJson(body) }];
  return binary ? items.map((item) => ({ ...item, binary })) : items;
}

/** Calls an HTTP API once per input item through the run's SSRF-checked client. */
export const httpRequestNode = defineNode({
  type: "core.http-request",
  version: 2,
  // Version 2 sends an idempotency key; configs saved before it do too, under the usual header name.
  migrations: { 1: (config) => ({ ...config, idempotencyHeader: IDEMPOTENCY_HEADER }) },
  name: "HTTP Request",
  description: "Calls a URL for each item and passes on the status, headers and body.",
  category: "network",
  icon: "globe",
  credential: { type: "http.header-auth", required: false },
  config: httpRequestConfig,
  async execute({ input, ctx }) {
    const out: Item[] = [];
    const auth = credentialHeader(ctx.credentials);
    for await (const { index: i, item, config } of eachItem({ input, ctx, evenIfEmpty: true })) {
      const url = buildUrl(config, i);
      const { body, contentType } = await encodeBody({ config, item, ctx, itemIndex: i });
      const idempotency = config.idempotencyHeader ? [{ name: config.idempotencyHeader, value: ctx.idempotencyKey(i) }] : [];
      const headers = mergeHeaders(contentType ? [{ name: "Content-Type", value: contentType }] : [], idempotency, config.headers, auth);

      const response = await ctx.http.request({
        url: url.toString(),
        method: config.method,
        headers,
        body,
        timeoutMs: config.timeoutMs,
        followRedirects: config.followRedirects,
        signal: ctx.signal,
      });
      ctx.logger.debug({ method: config.method, url: describeUrl(response.url), status: response.status, itemIndex: i }, "http request answered");

      if (config.failOnStatus && response.status >= 400) {
        throw statusError({ method: config.method, url: response.url, status: response.status, headers: response.headers, body: response.body, itemIndex: i });
      }
      const { body: parsed, binary } = await readBody({
        format: config.responseFormat,
        status: response.status,
        headers: response.headers,
        bytes: response.body,
        url: response.url,
        ctx,
      });
      if (config.output === "body") {
        out.push(...bodyItems(parsed, binary));
        continue;
      }
      const answer: Item = { json: { status: response.status, headers: response.headers, body: parsed } };
      if (binary) answer.binary = binary;
      out.push(answer);
    }
    return out;
  },
});
