import http from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { NodeConfigError, NodeExternalError } from "../nodes/_kit/errors";
import { ConfigError } from "../nodes/_core/config-error";
import { createHttpClient, httpAllowListFromEnv, type SafeHttpClient } from "./http-client";
import { closeTestServers, echo, readBody, startTestServer } from "../nodes/_kit/test-http-server";

const clients: SafeHttpClient[] = [];

function client(options: Parameters<typeof createHttpClient>[0] = {}): SafeHttpClient {
  const created = createHttpClient(options);
  clients.push(created);
  return created;
}

async function refusal(promise: Promise<unknown>): Promise<NodeConfigError> {
  const err = await promise.then(
    () => {
      throw new Error("the request was not refused");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeConfigError);
  expect((err as NodeConfigError).retryable).toBe(false);
  return err as NodeConfigError;
}

const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = http.createServer();
  probe.once("error", () => resolve(false));
  probe.listen(0, "::1", () => probe.close(() => resolve(true)));
});

afterEach(async () => {
  await closeTestServers();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe("refused destinations", () => {
  it("refuses 127.0.0.1 even when a server listens there", async () => {
    let reached = false;
    const server = await startTestServer((req, res) => {
      reached = true;
      echo(req, res);
    });
    const err = await refusal(client().request({ url: `${server.url}/` }));
    expect(reached).toBe(false);
    expect(err.message).toBe(
      "Refused to connect to 127.0.0.1 (loopback): requests to private, loopback and link-local addresses are blocked; allow the host with HTTP_ALLOW_HOSTS",
    );
  });

  it("refuses [::1]", async () => {
    const err = await refusal(client().request({ url: "http://[::1]:8080/" }));
    expect(err.message).toContain("::1 (loopback)");
  });

  it("refuses the cloud metadata address 169.254.169.254", async () => {
    const err = await refusal(client().request({ url: "http://169.254.169.254/latest/meta-data/" }));
    expect(err.message).toContain("169.254.169.254 (link-local, cloud metadata)");
  });

  it("refuses a name that resolves to a loopback address, checked when connecting", async () => {
    const server = await startTestServer(echo);
    const err = await refusal(client().request({ url: `http://localhost:${server.port}/` }));
    expect(err.message).toContain("Refused to connect to localhost (127.0.0.1) (loopback)");
    expect(err.details).toMatchObject({ host: "localhost", address: "127.0.0.1", range: "loopback" });
  });

  it("refuses an IPv4-mapped IPv6 loopback address", async () => {
    const err = await refusal(client().request({ url: "http://[::ffff:127.0.0.1]:8080/" }));
    expect(err.message).toContain("(127.0.0.1) (loopback)");
  });

  it.each([
    ["http://2130706433/", "127.0.0.1"],
    ["http://0177.0.0.1/", "127.0.0.1"],
    ["http://0x7f.1/", "127.0.0.1"],
  ])("refuses %s, which the URL parser turns into %s", async (url, address) => {
    const err = await refusal(client().request({ url }));
    expect(err.message).toContain(`Refused to connect to ${address} (loopback)`);
  });

  it.each([
    ["http://10.1.2.3/", "10.1.2.3 (private)"],
    ["http://172.16.0.1/", "172.16.0.1 (private)"],
    ["http://192.168.1.1/", "192.168.1.1 (private)"],
    ["http://100.64.0.1/", "100.64.0.1 (carrier-grade NAT)"],
    ["http://0.0.0.0/", "0.0.0.0 (unspecified)"],
    ["http://224.0.0.1/", "224.0.0.1 (multicast)"],
    ["http://255.255.255.255/", "255.255.255.255 (broadcast)"],
    ["http://240.0.0.1/", "240.0.0.1 (reserved)"],
    ["http://[fe80::1]/", "fe80::1 (link-local)"],
    ["http://[fd00::2]/", "fd00::2 (unique-local)"],
    ["http://[::]/", ":: (unspecified)"],
    ["http://[::7f00:1]/", "::7f00:1 (reserved)"],
    ["http://[::ffff:a9fe:a9fe]/", "169.254.169.254) (link-local, cloud metadata)"],
  ])("refuses %s", async (url, named) => {
    const err = await refusal(client().request({ url }));
    expect(err.message).toContain(named);
  });

  it("refuses schemes other than http and https", async () => {
    const err = await refusal(client().request({ url: "file:///etc/passwd" }));
    expect(err.message).toContain("Only http: and https: URLs can be requested, not file:");
  });

  it("refuses a redirect from an allowed server to a private address", async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    });
    const err = await refusal(client({ allow: ["127.0.0.1"] }).request({ url: `${server.url}/start` }));
    expect(err.message).toContain("Refused to connect to 169.254.169.254 (link-local, cloud metadata)");
  });

  it("refuses a relative redirect that stays on a refused host", async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === "/start") res.writeHead(301, { location: "http://10.0.0.7/admin" }).end();
      else res.end("not reached");
    });
    const err = await refusal(client({ allow: ["127.0.0.1"] }).request({ url: `${server.url}/start` }));
    expect(err.message).toContain("10.0.0.7 (private)");
  });

  it.skipIf(!ipv6Loopback)("checks the addresses of a name reached through a redirect", async () => {
    const target = await startTestServer(echo);
    const server = await startTestServer((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${target.port}/` }).end();
    }, "::1");
    const err = await refusal(client({ allow: ["::1"] }).request({ url: `${server.url}/` }));
    expect(err.message).toContain("localhost (127.0.0.1) (loopback)");
  });
});

describe("allow-list", () => {
  it("permits an allowed IP address", async () => {
    const server = await startTestServer(echo);
    const res = await client({ allow: ["127.0.0.1"] }).request({ url: `${server.url}/hello` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toMatchObject({ method: "GET", url: "/hello" });
  });

  it("permits an allowed host name whatever it resolves to", async () => {
    const server = await startTestServer(echo);
    const res = await client({ allow: ["LocalHost"] }).request({ url: `http://localhost:${server.port}/` });
    expect(res.status).toBe(200);
  });

  it("permits addresses inside an allowed CIDR range, for names and literals", async () => {
    const server = await startTestServer(echo);
    const http = client({ allow: ["127.0.0.0/8"] });
    expect((await http.request({ url: `${server.url}/` })).status).toBe(200);
    expect((await http.request({ url: `http://localhost:${server.port}/` })).status).toBe(200);
    await refusal(http.request({ url: "http://10.0.0.1/" }));
  });

  it("parses HTTP_ALLOW_HOSTS", () => {
    expect(httpAllowListFromEnv(" 127.0.0.1, localhost ,10.0.0.0/8,,[::1]")).toEqual(["127.0.0.1", "localhost", "10.0.0.0/8", "[::1]"]);
    expect(httpAllowListFromEnv(undefined)).toEqual([]);
    expect(httpAllowListFromEnv("")).toEqual([]);
  });

  it.each(["10.0.0.0/99", "http://example.com", "example.com:8080"])("rejects the HTTP_ALLOW_HOSTS entry %s", (entry) => {
    expect(() => httpAllowListFromEnv(entry)).toThrow(ConfigError);
    expect(() => httpAllowListFromEnv(entry)).toThrow(`"${entry}"`);
  });
});

describe("requests", () => {
  it("sends a POST with a JSON body and returns the response without throwing on error statuses", async () => {
    const server = await startTestServer(async (req, res) => {
      const body = await readBody(req);
      res.writeHead(req.url === "/fail" ? 500 : 201, { "content-type": "application/json", "x-seen": req.headers["content-type"] ?? "" });
      res.end(JSON.stringify({ got: JSON.parse(body) }));
    });
    const http = client({ allow: ["127.0.0.1"] });
    const res = await http.request({
      url: `${server.url}/items`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada" }),
    });
    expect(res.status).toBe(201);
    expect(res.headers["x-seen"]).toBe("application/json");
    expect(JSON.parse(res.body.toString())).toEqual({ got: { name: "Ada" } });

    const failed = await http.request({ url: `${server.url}/fail`, method: "POST", body: "{}" });
    expect(failed.status).toBe(500);
  });

  it("follows redirects and reports the final URL", async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === "/a") res.writeHead(301, { location: "/b" }).end();
      else if (req.url === "/b") res.writeHead(302, { location: "/c?step=2" }).end();
      else echo(req, res);
    });
    const res = await client({ allow: ["127.0.0.1"] }).request({ url: `${server.url}/a` });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${server.url}/c?step=2`);
    expect(JSON.parse(res.body.toString())).toMatchObject({ url: "/c?step=2" });
  });

  it("returns the redirect itself when redirects are not followed", async () => {
    const server = await startTestServer((_req, res) => res.writeHead(302, { location: "http://169.254.169.254/" }).end());
    const res = await client({ allow: ["127.0.0.1"] }).request({ url: `${server.url}/`, followRedirects: false });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("http://169.254.169.254/");
  });

  it.each([
    [302, "POST", "GET", ""],
    [301, "POST", "GET", ""],
    [303, "PUT", "GET", ""],
    [307, "POST", "POST", "payload"],
    [308, "PUT", "PUT", "payload"],
    [302, "PUT", "PUT", "payload"],
  ])("a %i redirect of a %s arrives as %s with body %j", async (status, method, expectedMethod, expectedBody) => {
    const server = await startTestServer((req, res) => {
      if (req.url === "/from") res.writeHead(status, { location: "/to" }).end();
      else echo(req, res);
    });
    const res = await client({ allow: ["127.0.0.1"] }).request({
      url: `${server.url}/from`,
      method,
      headers: { "content-type": "text/plain" },
      body: "payload",
    });
    const seen = JSON.parse(res.body.toString());
    expect(seen).toMatchObject({ method: expectedMethod, url: "/to", body: expectedBody });
    expect(seen.headers["content-type"]).toBe(expectedBody ? "text/plain" : undefined);
  });

  it("drops credentials on a redirect to another origin", async () => {
    const other = await startTestServer(echo);
    const server = await startTestServer((_req, res) => res.writeHead(302, { location: `http://localhost:${other.port}/` }).end());
    const res = await client({ allow: ["127.0.0.1"] }).request({
      url: `${server.url}/`,
      headers: { authorization: "Bearer secret", cookie: "session=1", accept: "application/json" },
    });
    const seen = JSON.parse(res.body.toString());
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers.accept).toBe("application/json");
  });

  it("stops after 5 redirects", async () => {
    let hits = 0;
    const server = await startTestServer((req, res) => {
      hits++;
      res.writeHead(302, { location: `/hop${hits}` }).end();
    });
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url: `${server.url}/` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(false);
    expect((err as Error).message).toContain("redirected more than 5 times");
    expect(hits).toBe(6);
  });

  it("refuses a streamed response beyond the size limit", async () => {
    let sent = 0;
    const server = await startTestServer((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.on("close", () => res.destroy());
      pump();
    });
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url: `${server.url}/big`, maxResponseBytes: 256 * 1024 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(false);
    expect((err as Error).message).toContain("larger than 262144 bytes");
    expect(sent).toBeLessThan(10 * 1024 * 1024);
  });

  it("refuses a response whose declared length is beyond the limit", async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(200, { "content-length": String(2048) }).end(Buffer.alloc(2048));
    });
    const err = await client({ allow: ["127.0.0.1"], maxResponseBytes: 1024 })
      .request({ url: `${server.url}/` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as Error).message).toContain("2048 bytes, more than the limit of 1024");
  });

  it("times out a server that does not answer, as a retryable external error", async () => {
    const server = await startTestServer(() => {});
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url: `${server.url}/slow`, timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(true);
    expect((err as Error).message).toBe(`GET ${server.url}/slow timed out after 200 ms`);
  });

  it("stops when the caller's signal aborts, with the caller's reason", async () => {
    const server = await startTestServer(() => {});
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 50);
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url: `${server.url}/`, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(err).toBe(reason);
  });

  it("reports a refused connection as a retryable external error", async () => {
    const server = await startTestServer(echo);
    const url = `${server.url}/`;
    await server.close();
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeExternalError);
    expect((err as NodeExternalError).retryable).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${server.port} \\(connection refused\\); .* \\(GET ${url}: connect ECONNREFUSED`));
  });

  it("keeps the query string out of error messages", async () => {
    const server = await startTestServer(() => {});
    const err = await client({ allow: ["127.0.0.1"] })
      .request({ url: `${server.url}/slow?api_key=secret`, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect((err as Error).message).not.toContain("secret");
  });
});

describe("fetch for SDKs", () => {
  it("refuses loopback by address and by name, and a redirect to it", async () => {
    const server = await startTestServer(echo);
    const http = client();
    await refusal(http.fetch(`${server.url}/`));
    await expect(http.fetch(`http://localhost:${server.port}/`)).rejects.toThrow(/loopback/);
    const bouncer = await startTestServer((_req, res) => res.writeHead(302, { location: `${server.url}/inside` }).end());
    await refusal(client({ allow: [`localhost`] }).fetch(`http://localhost:${bouncer.port}/`));
  });

  it("streams an allowed response and follows an allowed redirect", async () => {
    const server = await startTestServer((req, res) => {
      if (req.url === "/moved") return res.writeHead(307, { location: "/stream" }).end();
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first ");
      setTimeout(() => res.end("second"), 20);
    });
    const response = await client({ allow: ["127.0.0.1"] }).fetch(`${server.url}/moved`, { method: "POST", body: "x" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("first second");
  });
});

describe("checking a host for a program that connects itself", () => {
  it("refuses loopback literals and names, allows what the allow-list names, and says when a name does not resolve", async () => {
    await refusal(client().checkHost("127.0.0.1"));
    await refusal(client().checkHost("[::1]"));
    await refusal(client().checkHost("localhost"));
    expect(await client({ allow: ["127.0.0.1"] }).checkHost("127.0.0.1")).toEqual(["127.0.0.1"]);
    expect(await client({ allow: ["localhost"] }).checkHost("localhost")).not.toHaveLength(0);
    await expect(client().checkHost("no-such-host.invalid")).rejects.toBeInstanceOf(NodeExternalError);
  });
});

describe("fetch with a form", () => {
  it("sends the global FormData as multipart bytes with its boundary", async () => {
    const server = await startTestServer(async (req, res) => {
      const body = (await readBody(req)).toString();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: req.headers["content-type"], body }));
    });
    const form = new FormData();
    form.set("model", "whisper-1");
    form.set("file", new Blob([Buffer.from("RIFF")], { type: "audio/wav" }), "audio.wav");
    const response = await client({ allow: ["127.0.0.1"] }).fetch(`${server.url}/upload`, { method: "POST", body: form });
    const echoed = (await response.json()) as { type: string; body: string };
    const boundary = /boundary=(.+)$/.exec(echoed.type)?.[1];
    expect(echoed.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(echoed.body).toContain(`--${boundary}`);
    expect(echoed.body).toContain('name="file"; filename="audio.wav"');
    expect(echoed.body).toContain("whisper-1");
    expect(echoed.body).not.toContain("[object FormData]");
  });
});
