import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { createHttpClient } from "../../runner/http-client";
import { closeTestServers, echo, startTestServer } from "../_kit/test-http-server";
import type { HttpClient } from "../_kit/context";
import { NodeConfigError, NodeExternalError } from "../_kit/errors";
import { idempotencyKey } from "../_kit/idempotency";
import type { Item } from "../_kit/items";
import { failure, runNode, TEST_WORKSPACE_ID } from "../../runner/node-testing";
import { httpRequestConfig, httpRequestNode } from "./http-request.node";


const loopbackClient = createHttpClient({ allow: ["127.0.0.1"] });
const guardedClient = createHttpClient();

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await Promise.all([loopbackClient.close(), guardedClient.close()]);
});

/** Runs the node as the engine would (expressions per item, schema, real binary storage) through loopback. */
async function run(args: { config: Record<string, unknown>; input?: Item[]; credentials?: Record<string, string> | null; http?: HttpClient }) {
  const { items } = await runNode(httpRequestNode, {
    config: args.config,
    input: args.input ?? [{ json: {} }],
    credentials: args.credentials,
    http: args.http ?? loopbackClient,
  });
  return items;
}

describe("core.http-request", () => {
  it("GETs JSON and passes on status, headers and the parsed body", async () => {
    const server = await startTestServer(echo);
    const [item] = await run({ config: { url: `${server.url}/items?x=1`, query: [{ name: "page", value: 2 }] } });
    expect(item!.json.status).toBe(200);
    expect((item!.json.headers as Record<string, string>)["content-type"]).toBe("application/json; charset=utf-8");
    expect(item!.json.body).toMatchObject({ method: "GET", url: "/items?x=1&page=2", body: "" });
  });

  it("sends an idempotency key per item, the same each time the step runs again, under a header that can be renamed or left out", async () => {
    const server = await startTestServer(echo);
    const keysOf = (out: Item[], header: string) => out.map((i) => (i.json.body as { headers: Record<string, string> }).headers[header]);
    const input = [{ json: { id: 1 } }, { json: { id: 2 } }];
    const first = keysOf(await run({ input, config: { method: "POST", url: `${server.url}/pay` } }), "idempotency-key");
    expect(first).toEqual([idempotencyKey("test-run", "node-under-test", 0), idempotencyKey("test-run", "node-under-test", 1)]);
    expect(new Set(first).size).toBe(2);
    expect(keysOf(await run({ input, config: { method: "POST", url: `${server.url}/pay` } }), "idempotency-key")).toEqual(first);
    expect(keysOf(await run({ input, config: { url: `${server.url}/`, idempotencyHeader: "X-Request-Key" } }), "x-request-key")).toEqual(first);
    const off = await run({ input, config: { url: `${server.url}/`, idempotencyHeader: "" } });
    expect(keysOf(off, "idempotency-key")).toEqual([undefined, undefined]);
    // A config saved by version 1 sends it too once migrated.
    const { items: migrated } = await runNode(httpRequestNode, { config: { url: `${server.url}/` }, typeVersion: 1, http: loopbackClient });
    expect(keysOf(migrated, "idempotency-key")).toEqual([first[0]]);
  });

  it("makes one request per input item with that item's config", async () => {
    const server = await startTestServer(echo);
    const out = await run({
      input: [{ json: { id: 1 } }, { json: { id: 2 } }, { json: { id: 3 } }],
      config: { url: `${server.url}/items/{{ $json.id }}` },
    });
    expect(out.map((i) => (i.json.body as { url: string }).url)).toEqual(["/items/1", "/items/2", "/items/3"]);
  });

  it("POSTs a JSON body given as an object or as JSON text", async () => {
    const server = await startTestServer(echo);
    for (const body of [{ name: "Ada", tags: ["a"] }, '{"name":"Ada","tags":["a"]}']) {
      const [item] = await run({ config: { method: "POST", url: `${server.url}/people`, bodyMode: "json", body } });
      const seen = item!.json.body as { method: string; headers: Record<string, string>; body: string };
      expect(seen.method).toBe("POST");
      expect(seen.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(seen.body)).toEqual({ name: "Ada", tags: ["a"] });
    }
  });

  it("sends form and text bodies, and lets a typed Content-Type win", async () => {
    const server = await startTestServer(echo);
    const [form] = await run({ config: { method: "PUT", url: `${server.url}/`, bodyMode: "form", body: { q: "a b", n: [1, 2] } } });
    expect(form!.json.body).toMatchObject({ body: "q=a+b&n=1&n=2", headers: { "content-type": "application/x-www-form-urlencoded" } });

    const [text] = await run({
      config: { method: "PATCH", url: `${server.url}/`, bodyMode: "text", body: "<x/>", headers: [{ name: "content-type", value: "application/xml" }] },
    });
    expect(text!.json.body).toMatchObject({ method: "PATCH", body: "<x/>", headers: { "content-type": "application/xml" } });
  });

  it("adds the header credential, replacing a typed header of the same name", async () => {
    const server = await startTestServer(echo);
    const [item] = await run({
      config: { url: `${server.url}/`, headers: [{ name: "X-Api-Key", value: "typed" }, { name: "Accept", value: "application/json" }] },
      credentials: { name: "x-api-key", value: "from-credential" },
    });
    expect(item!.json.body).toMatchObject({ headers: { "x-api-key": "from-credential", accept: "application/json" } });
  });

  it("refuses a credential without a header name", async () => {
    const server = await startTestServer(echo);
    const err = await failure(run({ config: { url: `${server.url}/` }, credentials: { value: "secret" } }));
    expect(err).toBeInstanceOf(NodeConfigError);
  });

  it("stores a binary response and passes on a reference", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    const server = await startTestServer((_req, res) => res.writeHead(200, { "content-type": "image/png" }).end(png));
    for (const responseFormat of ["auto", "binary"]) {
      const { items, binary } = await runNode(httpRequestNode, { config: { url: `${server.url}/files/logo.png`, responseFormat }, http: loopbackClient });
      const [item] = items;
      expect(item!.json).toMatchObject({ status: 200, body: null });
      const ref = item!.binary!.data!;
      expect(ref).toMatchObject({ mimeType: "image/png", fileName: "logo.png", size: png.length });
      expect(await binary.read(TEST_WORKSPACE_ID, ref)).toEqual(png);
    }
  });

  it("gives only the body when asked: an object as the item, a list as one item per entry, text as { data }, a file beside {}", async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]);
    const server = await startTestServer((req, res) => {
      if (req.url === "/one") return res.writeHead(200, { "content-type": "application/json" }).end('{"id":1}');
      if (req.url === "/many") return res.writeHead(200, { "content-type": "application/json" }).end('[{"id":1},{"id":2},3]');
      if (req.url === "/text") return res.writeHead(200, { "content-type": "text/plain" }).end("hello");
      return res.writeHead(200, { "content-type": "image/png" }).end(png);
    });
    const body = async (path: string) => (await run({ config: { url: `${server.url}${path}`, output: "body" } })).map((i) => ({ json: i.json, file: !!i.binary?.data }));
    expect(await body("/one")).toEqual([{ json: { id: 1 }, file: false }]);
    expect(await body("/many")).toEqual([{ json: { id: 1 }, file: false }, { json: { id: 2 }, file: false }, { json: { data: 3 }, file: false }]);
    expect(await body("/text")).toEqual([{ json: { data: "hello" }, file: false }]);
    expect(await body("/logo.png")).toEqual([{ json: {}, file: true }]);
  });

  it("reads text as text, and JSON-looking text only when asked", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end('{"a":1}'));
    const [auto] = await run({ config: { url: `${server.url}/` } });
    expect(auto!.json.body).toBe('{"a":1}');
    const [json] = await run({ config: { url: `${server.url}/`, responseFormat: "json" } });
    expect(json!.json.body).toEqual({ a: 1 });
  });

  it("fails on a body that is not JSON when JSON was asked for", async () => {
    const server = await startTestServer((_req, res) => res.end("<html></html>"));
    const err = await failure(run({ config: { url: `${server.url}/`, responseFormat: "json" } }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(false);
  });

  it("follows redirects by default", async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === "/old") res.writeHead(301, { location: "/new" }).end();
      else echo(req, res);
    });
    const [followed] = await run({ config: { url: `${server.url}/old` } });
    expect(followed!.json).toMatchObject({ status: 200, body: { url: "/new" } });
    const [kept] = await run({ config: { url: `${server.url}/old`, followRedirects: false } });
    expect(kept!.json).toMatchObject({ status: 301, headers: { location: "/new" } });
  });

  it("turns a 500 into a retryable external error that keeps the status and body", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(500, { "content-type": "application/json" }).end('{"error":"database down"}'));
    const err = await failure(run({ config: { url: `${server.url}/orders?token=secret` } }));
    expect(err).toBeInstanceOf(NodeExternalError);
    const external = err as NodeExternalError;
    expect(external.status).toBe(500);
    expect(external.retryable).toBe(true);
    expect(external.message).toBe(`GET ${server.url}/orders answered 500 Internal Server Error: {"error":"database down"}`);
    expect(external.details).toMatchObject({ body: { error: "database down" }, itemIndex: 0 });
  });

  it("turns a 404 into an external error that is not retried", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(404).end("no such order"));
    const err = await failure(run({ config: { url: `${server.url}/orders/9` } }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).status).toBe(404);
    expect((err as NodeExternalError).retryable).toBe(false);
    expect(err.message).toContain("answered 404 Not Found: no such order");
  });

  it("retries 429", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(429, { "retry-after": "3" }).end());
    const err = (await failure(run({ config: { url: `${server.url}/` } }))) as NodeExternalError;
    expect(err.status).toBe(429);
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ retryAfter: "3" });
  });

  it("passes error statuses on as data when failOnStatus is off", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(404, { "content-type": "application/json" }).end('{"found":false}'));
    const [item] = await run({ config: { url: `${server.url}/`, failOnStatus: false } });
    expect(item!.json).toMatchObject({ status: 404, body: { found: false } });
  });

  it("refuses private destinations through the run's client", async () => {
    const server = await startTestServer(echo);
    const err = await failure(run({ config: { url: `${server.url}/` }, http: guardedClient }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain("Refused to connect to 127.0.0.1 (loopback)");
  });

  it("times out as a retryable external error", async () => {
    const server = await startTestServer(() => {});
    const err = await failure(run({ config: { url: `${server.url}/`, timeoutMs: 100 } }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(true);
    expect(err.message).toContain("timed out after 100 ms");
  });

  it("reports a URL that is not an address as a config error", async () => {
    const err = await failure(run({ config: { url: "api.example.com/items" } }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toContain('URL "api.example.com/items" (item 0) is not a full address');
  });

  it("refuses a body on GET in the config", () => {
    const parsed = httpRequestConfig.safeParse({ url: "https://example.com", bodyMode: "json", body: {} });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ["bodyMode"] });
  });

  it("describes its form with titles and hints", () => {
    expect(httpRequestNode.type).toBe("core.http-request");
    expect(httpRequestNode.credential).toEqual({ type: "http.header-auth", required: false });
    const defaults = httpRequestConfig.parse({ url: "https://example.com" });
    expect(defaults).toMatchObject({ method: "GET", bodyMode: "none", responseFormat: "auto", timeoutMs: 30_000, followRedirects: true, failOnStatus: true });
  });

  describe("sending files", () => {
    /** Answers with what a multipart body held, as the server read it; or with a plain body's type and bytes. */
    const receiver = () =>
      startTestServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        const type = req.headers["content-type"] ?? "";
        const parts: Record<string, unknown> = {};
        if (type.startsWith("multipart/form-data")) {
          for (const [name, value] of await new Response(bytes, { headers: { "content-type": type } }).formData()) {
            parts[name] = typeof value === "string" ? value : { fileName: value.name, type: value.type, text: await value.text() };
          }
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ type, parts, text: bytes.toString("utf8") }));
      });

    async function withFile() {
      const binary = new LocalBinaryStore(mkdtempSync(path.join(os.tmpdir(), "streamware-http-upload-")));
      const ref = await binary.put(Buffer.from("a,b\n1,2\n"), { workspaceId: TEST_WORKSPACE_ID, mimeType: "text/csv", fileName: "sheet.csv" });
      return { binary, input: [{ json: { dpi: 300 }, binary: { data: ref } }] as Item[] };
    }

    it("sends a multipart form of text fields and the item's files", async () => {
      const server = await receiver();
      const { binary, input } = await withFile();
      const { items } = await runNode(httpRequestNode, {
        binary,
        input,
        http: loopbackClient,
        config: { method: "POST", url: `${server.url}/convert`, bodyMode: "multipart", parts: [{ name: "fileInput", file: "data" }, { name: "dpi", value: "{{ $json.dpi }}" }] },
      });
      expect(items[0]!.json.body).toMatchObject({ parts: { fileInput: { fileName: "sheet.csv", type: "text/csv", text: "a,b\n1,2\n" }, dpi: "300" } });
    });

    it("sends one of the item's files as the body, its type as the Content-Type unless a header says otherwise", async () => {
      const server = await receiver();
      const { binary, input } = await withFile();
      const send = (headers: { name: string; value: string }[]) =>
        runNode(httpRequestNode, { binary, input, http: loopbackClient, config: { method: "POST", url: `${server.url}/media`, bodyMode: "file", headers } }).then((r) => r.items[0]!.json.body);
      expect(await send([])).toMatchObject({ type: "text/csv", text: "a,b\n1,2\n" });
      expect(await send([{ name: "Content-Type", value: "application/octet-stream" }])).toMatchObject({ type: "application/octet-stream" });
    });

    it("names the missing file and the files the item has", async () => {
      const server = await receiver();
      const { binary, input } = await withFile();
      const err = await failure(runNode(httpRequestNode, { binary, input, http: loopbackClient, config: { method: "POST", url: `${server.url}/`, bodyMode: "file", file: "photo" } }));
      expect(err).toBeInstanceOf(NodeConfigError);
      expect(err.message).toBe('Item 0 has no file "photo" to send; its files are "data"');
      expect(httpRequestConfig.safeParse({ url: "https://example.com", method: "POST", bodyMode: "multipart", parts: [{ name: "x" }] }).error?.issues[0]?.message).toBe("give a part either a value or a file");
    });
  });
});
