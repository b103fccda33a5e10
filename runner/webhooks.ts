import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import busboy from "busboy";
import type { Logger } from "pino";
import type { WebhookResponse } from "../nodes/_kit/context";
import type { BinaryRef, Item } from "../nodes/_kit/items";
import type { WebhookConfig } from "../nodes/webhook/webhook.node";
import type { FlowDocument, FlowNode } from "../nodes/_core/flow-document";
import { checkJson, describeJsonProblem } from "../nodes/_core/json-check";
import { HOOKS_PREFIX, HOOKS_TEST_PREFIX, TEST_WEBHOOK_TRIGGER, webhookRouteKey } from "../nodes/_core/webhook-url";
import { webhookTriggers } from "../nodes/webhook/webhook-triggers";
import { respondMode, type RespondMode } from "../nodes/webhook/respond-mode";
import type { Metrics } from "./metrics";
import type { Dispatcher } from "./dispatch";
import type { SharedRateLimiter } from "./rate-limits";
import type { Executor } from "./executor";
import type { ActiveFlows, RunCredentials, TestWebhooks } from "./ports";
import type { RunSpec } from "../nodes/_core/run-types";
import { BodyTooLarge, discardBody, MAX_DISCARD_BYTES, readBody } from "./http-body";
import { TurnGrouping } from "./event-loop-turn";

interface Route {
  flowId: string;
  workspaceId: string;
  workspaceSlug: string;
  /** Null for a test call, which runs the flow's draft. */
  versionId: string | null;
  document: FlowDocument;
  node: FlowNode;
  config: WebhookConfig;
  /** How it answers, "auto" settled once when the route is made rather than on every request. */
  mode: RespondMode;
  /** The decrypted secret for token or HMAC checks; an Error when the credential cannot be opened. */
  secret: string | Error | null;
  /** Reached at the test URL (`/hooks-test/…`) while the editor listens: one call, one run of the draft. */
  test?: boolean;
}

/**
 * How long an async call waits for room in the queue (runs back up only while Redis does not take them) before it
 * is answered 503, with nothing started.
 */
export const QUEUE_ROOM_WAIT_MS = 10_000;

/** A multipart body that cannot be taken as it is; the message says why. */
class MultipartError extends Error {}

/** What a multipart form may hold: its files go to binary storage, its fields become the body. */
export const MULTIPART_LIMITS = { files: 20, fields: 200, fieldSizeBytes: 1024 * 1024 };

interface MultipartBody {
  fields: Record<string, string | string[]>;
  files: { field: string; fileName?: string; mimeType: string; data: Buffer }[];
}

/** Reads a multipart/form-data body (already within the webhook's size limit) with busboy. */
function parseMultipart(raw: Buffer, headers: IncomingHttpHeaders): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers,
        limits: { files: MULTIPART_LIMITS.files, fields: MULTIPART_LIMITS.fields, fieldSize: MULTIPART_LIMITS.fieldSizeBytes },
      });
    } catch (err) {
      return reject(new MultipartError(`The multipart body cannot be read: ${(err as Error).message}.`));
    }
    const body: MultipartBody = { fields: {}, files: [] };
    const fail = (message: string) => reject(new MultipartError(message));
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) return fail(`The form field "${name}" is larger than ${MULTIPART_LIMITS.fieldSizeBytes} bytes; send it as a file.`);
      const known = body.fields[name];
      body.fields[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
    });
    parser.on("file", (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const data = Buffer.concat(chunks);
        // A form's empty file input arrives as a part with no name and no bytes.
        if (data.length === 0 && !info.filename) return;
        body.files.push({ field, fileName: info.filename || undefined, mimeType: info.mimeType || "application/octet-stream", data });
      });
    });
    parser.on("filesLimit", () => fail(`The form holds more than ${MULTIPART_LIMITS.files} files.`));
    parser.on("fieldsLimit", () => fail(`The form holds more than ${MULTIPART_LIMITS.fields} fields.`));
    parser.on("error", (err: Error) => fail(`The multipart body cannot be read: ${err.message}.`));
    parser.on("close", () => resolve(body));
    parser.end(raw);
  });
}

/** Binary property names for uploaded files: the form field's name, numbered when a field holds several. */
function fileProperty(field: string, taken: Record<string, BinaryRef>): string {
  const base = field || "file";
  if (!taken[base]) return base;
  for (let n = 2; ; n++) if (!taken[`${base}_${n}`]) return `${base}_${n}`;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  let payload: string | Buffer;
  let type = headers["content-type"];
  if (Buffer.isBuffer(body)) payload = body;
  else if (typeof body === "string") {
    payload = body;
    type ??= "text/plain; charset=utf-8";
  } else {
    try {
      payload = body === undefined ? "" : JSON.stringify(body);
    } catch (err) {
      // An answer that cannot be written as JSON (nested too deep, a BigInt) still gets an answer.
      const runId = headers["x-streamware-run-id"];
      const error = `The flow's answer cannot be sent as JSON: ${(err as Error).message}.`;
      return send(res, 500, runId ? { runId, error } : { error }, runId ? { "x-streamware-run-id": runId } : {});
    }
    type ??= "application/json";
  }
  res.writeHead(status, { ...headers, "content-type": type ?? "application/octet-stream", "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return null;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type.endsWith("+json")) return JSON.parse(raw.toString("utf8")) as unknown;
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(raw.toString("utf8")));
  if (type.startsWith("text/") || type === "") return raw.toString("utf8");
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const notListening = (key: string) =>
  `Nobody is listening for a test call at ${HOOKS_TEST_PREFIX}${key}. In the flow's editor, select its webhook trigger and click ` +
  `"Listen for test event", then send the request while it listens; test URLs take one call each time.`;

/**
 * The lean HTTP path for /hooks/<workspace slug>/<path>, answered before Next.js sees the request: one lookup of
 * the route in memory (kept by workspace and path, so workspaces never share a path), then
 * method, rate limit, body limit, token or HMAC check, then a run — answered at once (202 and the run id) or
 * with the flow's own answer, up to the webhook's timeout (504 and the run id, the run going on).
 */
export class WebhookRouter {
  private routes = new Map<string, Route>();
  private readonly arrivals = new TurnGrouping();

  constructor(
    private readonly deps: {
      flows: ActiveFlows;
      testWebhooks: TestWebhooks;
      credentials: RunCredentials;
      executor: Executor;
      dispatcher: Dispatcher;
      logger: Logger;
      /** Webhook calls per workspace (by its slug, which never changes), shared by the web processes. */
      limiter: SharedRateLimiter;
      /** How deep a JSON body may nest (`JSON_MAX_DEPTH`); deeper ones are answered 422 before a run exists. */
      jsonMaxDepth: number;
      /** Times each call from arrival to the end of its answer, by status code. */
      metrics: Metrics;
    },
  ) {}

  /** Reloads the routes of every active flow, or of one flow after it was activated or deactivated. */
  async load(flowId?: string): Promise<void> {
    const flows = await this.deps.flows.activeFlows({ flowId });
    const routes = new Map<string, Route>();
    if (flowId) for (const [key, route] of this.routes) if (route.flowId !== flowId) routes.set(key, route);
    for (const flow of flows) {
      for (const { node, config } of webhookTriggers(flow.document)) {
        const key = webhookRouteKey({ workspaceSlug: flow.workspaceSlug, path: config.path });
        routes.set(key, { ...flow, node, config, mode: respondMode(flow.document, node.id, config.respond), secret: await this.secretFor(flow.workspaceId, node, config) });
      }
    }
    this.routes = routes;
  }

  private async secretFor(workspaceId: string, node: FlowNode, config: WebhookConfig): Promise<string | Error | null> {
    if (config.authentication === "none") return null;
    const ref = node.credentials["webhook.secret"] ?? Object.values(node.credentials)[0];
    if (!ref) return new Error("this webhook checks a secret but has no webhook.secret credential");
    try {
      const data = await this.deps.credentials.open({ workspaceId, ref, type: "webhook.secret" });
      return data.secret ?? new Error(`credential "${ref.name}" has no "secret" field`);
    } catch (err) {
      return err as Error;
    }
  }

  /** Answers the request if it is for /hooks/ or /hooks-test/; false to let the next handler have it. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    const prefix = url.startsWith(HOOKS_PREFIX) ? HOOKS_PREFIX : url.startsWith(HOOKS_TEST_PREFIX) ? HOOKS_TEST_PREFIX : null;
    if (!prefix) return false;
    const started = performance.now();
    res.once("finish", () => this.deps.metrics.webhookAnswered(res.statusCode, (performance.now() - started) / 1000));
    this.serve(req, res, url, prefix).catch((err: unknown) => {
      this.deps.logger.error({ err, url }, "webhook failed");
      send(res, 500, { error: "The webhook could not be handled; see the server log." });
    });
    return true;
  }

  /**
   * The route of a test call: the flow whose editor listens at this path of the workspace, with its draft as it is
   * now; an answer instead when none listens or its draft cannot run.
   */
  private async testRoute(key: string): Promise<Route | { status: number; error: string }> {
    const slash = key.indexOf("/");
    const found = slash > 0 ? await this.deps.testWebhooks.listening({ workspaceSlug: key.slice(0, slash), path: key.slice(slash + 1) }) : null;
    if (!found) return { status: 404, error: notListening(key) };
    if ("problem" in found) return { status: 422, error: found.problem };
    const path = key.slice(slash + 1);
    const hook = webhookTriggers(found.document).find(({ config }) => config.path === path);
    if (!hook) return { status: 404, error: notListening(key) };
    const secret = await this.secretFor(found.workspaceId, hook.node, hook.config);
    const mode = respondMode(found.document, hook.node.id, hook.config.respond);
    return { ...found, workspaceSlug: key.slice(0, slash), versionId: null, node: hook.node, config: hook.config, mode, secret, test: true };
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: string, prefix: string): Promise<void> {
    const query = url.indexOf("?");
    // The route key: the workspace's slug, then the webhook's path.
    let key: string;
    try {
      key = decodeURIComponent(url.slice(prefix.length, query === -1 ? undefined : query));
    } catch {
      return send(res, 400, { error: "The webhook path is not valid URL encoding." });
    }
    const tooMany = () => send(res, 429, { error: "Too many webhook requests for this workspace; slow down." }, { "retry-after": String(wait) });
    let wait = 0;
    let route: Route | undefined;
    if (prefix === HOOKS_TEST_PREFIX) {
      // Counted before the lookup, which asks the database: test URLs share their workspace's limit, probes included.
      wait = (await this.deps.limiter.take(key.slice(0, Math.max(0, key.indexOf("/"))))).retryAfter;
      if (wait > 0) return tooMany();
      const found = await this.testRoute(key);
      if ("error" in found) return send(res, found.status, { error: found.error });
      route = found;
    } else route = this.routes.get(key);
    if (!route) {
      return send(res, 404, {
        error: `No active flow listens at ${HOOKS_PREFIX}${key}. Webhooks answer at ${HOOKS_PREFIX}<workspace>/<path>; the editor shows a flow's URLs when it is activated.`,
      });
    }
    const path = route.config.path;
    const method = req.method ?? "GET";
    if (!(route.config.methods as string[]).includes(method)) {
      return send(res, 405, { error: `${prefix}${key} accepts ${route.config.methods.join(", ")}, not ${method}.` }, { allow: route.config.methods.join(", ") });
    }
    if (!route.test) {
      wait = (await this.deps.limiter.take(route.workspaceSlug)).retryAfter;
      if (wait > 0) return tooMany();
    }

    const limit = route.config.maxBodyBytes;
    const tooLarge = () => {
      // The rest of a moderately large body is read and dropped, so the client gets to read the answer instead of
      // having its upload cut off mid-write; a larger one closes the connection.
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > MAX_DISCARD_BYTES) res.setHeader("connection", "close");
      else discardBody(req);
      send(res, 413, { error: `The body is larger than this webhook's limit of ${limit} bytes.` });
    };
    if (Number(req.headers["content-length"] ?? 0) > limit) return tooLarge();
    let raw: Buffer;
    try {
      raw = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) return tooLarge();
      throw err;
    }
    const headers = { ...req.headers };
    if (route.config.authentication !== "none") {
      const problem = this.checkSecret(route, req, raw);
      if (problem) return send(res, problem.status, { error: problem.message });
      delete headers[route.config.authHeader.toLowerCase()];
    }
    const contentType = req.headers["content-type"] ?? "";
    let body: unknown;
    let multipart: MultipartBody | undefined;
    try {
      if (/^multipart\/form-data\b/i.test(contentType)) multipart = await parseMultipart(raw, req.headers);
      else body = parseBody(raw, contentType);
    } catch (err) {
      if (err instanceof MultipartError) return send(res, 400, { error: err.message });
      return send(res, 400, { error: `The body is not valid JSON: ${(err as Error).message}` });
    }
    // Refused before a run exists: nothing downstream (expressions, storage, the answer) could read it.
    const tooDeep = body !== null && typeof body === "object" ? checkJson(body, { maxDepth: this.deps.jsonMaxDepth, root: "body" }) : null;
    if (tooDeep) return send(res, 422, { error: describeJsonProblem(tooDeep, { what: "The JSON body" }) });
    const item: Item = { json: { method, path, headers, query: query === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(query + 1))), body: multipart?.fields ?? body ?? null } };
    if (multipart) {
      const binary: Record<string, BinaryRef> = {};
      for (const file of multipart.files) {
        binary[fileProperty(file.field, binary)] = await this.deps.executor.storeBinary(route.workspaceId, file.data, { mimeType: file.mimeType, fileName: file.fileName });
      }
      if (Object.keys(binary).length) item.binary = binary;
    } else if (body === undefined) {
      item.binary = {
        data: await this.deps.executor.storeBinary(route.workspaceId, raw, { mimeType: contentType || "application/octet-stream" }),
      };
    }
    // A test call takes the listener only now, once the request passed every check: a refused call leaves it waiting.
    if (route.test && !(await this.deps.testWebhooks.take({ flowId: route.flowId }))) return send(res, 404, { error: notListening(key) });
    const spec: RunSpec = {
      workspaceId: route.workspaceId,
      flowId: route.flowId,
      flowVersionId: route.versionId,
      document: route.document,
      trigger: route.test ? TEST_WEBHOOK_TRIGGER : "webhook",
      startNodeId: route.node.id,
      triggerItems: [item],
    };
    const started = route.test ? (runId: string) => this.testStarted(route.flowId, runId) : undefined;
    // Runs of requests that came in together start once the turn's requests are all in (see event-loop-turn.ts).
    const together = this.arrivals.arrive();
    if (together) await together;
    if (route.mode === "immediately") return this.startAsync(res, spec, started);
    return this.runAndAnswer(res, spec, { ...route.config, mode: route.mode }, started);
  }

  /** Tells the listening editor which run the test call started. */
  private testStarted(flowId: string, runId: string): void {
    this.deps.testWebhooks.started({ flowId, runId }).catch((err: unknown) => this.deps.logger.error({ err, flowId, runId }, "could not record a test webhook's run"));
  }

  private checkSecret(route: Route, req: IncomingMessage, raw: Buffer): { status: number; message: string } | null {
    if (route.secret instanceof Error || route.secret === null) {
      return { status: 503, message: `This webhook cannot check requests: ${route.secret?.message ?? "no secret"}.` };
    }
    const header = req.headers[route.config.authHeader.toLowerCase()];
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) return { status: 401, message: `Missing the ${route.config.authHeader} header.` };
    if (route.config.authentication === "headerToken") {
      const token = value.startsWith("Bearer ") ? value.slice(7) : value;
      return safeEqual(token, route.secret) ? null : { status: 401, message: `The ${route.config.authHeader} header does not hold this webhook's token.` };
    }
    const expected = `sha256=${createHmac("sha256", route.secret).update(raw).digest("hex")}`;
    return safeEqual(value, expected) ? null : { status: 401, message: `The ${route.config.authHeader} signature does not match the body.` };
  }

  /**
   * The run is stored before the 202 goes out, so the id it carries can be followed at once, and the run will run:
   * it is handed to the queue meanwhile, and a run the queue did not take (Redis away) is queued again by the
   * reconciler. The answer does not wait for the queue, only for room in it, and for that no longer than
   * `QUEUE_ROOM_WAIT_MS`.
   */
  private async startAsync(res: ServerResponse, spec: RunSpec, started?: (runId: string) => void): Promise<void> {
    const { executor, dispatcher, logger } = this.deps;
    if (!(await dispatcher.room(QUEUE_ROOM_WAIT_MS))) {
      const error = `The run queue is full: runs have waited for Redis for over ${QUEUE_ROOM_WAIT_MS / 1000} s. Nothing was started; try again shortly.`;
      return send(res, 503, { error }, { "retry-after": "5" });
    }
    const runId = await executor.createQueued(spec);
    started?.(runId);
    dispatcher.enqueue({ runId, workspaceId: spec.workspaceId }).catch((err: unknown) => logger.warn({ err, runId }, "could not queue a run; it is queued again shortly"));
    send(res, 202, { runId });
  }

  private runAndAnswer(res: ServerResponse, spec: RunSpec, config: WebhookConfig & { mode: RespondMode }, started?: (runId: string) => void): Promise<void> {
    return new Promise((resolve) => {
      let answered = false;
      const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        try {
          send(res, status, body, headers);
        } catch (err) {
          // Whatever went wrong writing it, the caller still gets an answer and the run id.
          this.deps.logger.error({ err, runId }, "could not send a webhook's answer");
          send(res, 500, { runId, error: "The flow's answer could not be sent; see the run." }, { "x-streamware-run-id": runId });
        }
        resolve();
      };
      const respond = (response: WebhookResponse) => {
        if (config.mode === "respondNode") answer(response.status, response.body, response.headers);
      };
      const { runId, done } = this.deps.executor.runInline(spec, { respond });
      started?.(runId);
      const timer = setTimeout(() => {
        answer(504, { runId, error: `The flow did not answer within ${config.timeoutMs} ms; run ${runId} goes on.` }, { "x-streamware-run-id": runId });
      }, config.timeoutMs);
      done.then(
        (outcome) => {
          if (outcome.status !== "succeeded") {
            // A run refused for what the request carried (audio that is not audio, too long, silent) is the caller's to fix.
            const status = outcome.error?.code === "BAD_INPUT" ? 422 : 500;
            return answer(status, { runId, error: outcome.error?.message ?? `The run ${outcome.status}.` });
          }
          if (config.mode === "lastNode") {
            const items = outcome.output.map((i) => i.json);
            return answer(200, items.length === 1 ? items[0] : items, { "x-streamware-run-id": runId });
          }
          answer(500, { runId, error: "The flow finished without reaching a Respond to webhook node." });
        },
        (err: unknown) => answer(500, { runId, error: (err as Error).message }),
      );
    });
  }
}
