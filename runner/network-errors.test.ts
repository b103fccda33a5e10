// Network failures read in words first, with the raw error after: provoked here against real sockets (a closed
// port, a name under .invalid, a server that hangs up, TLS to a plain port, an untrusted certificate).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NodeConfigError, NodeExternalError } from "../nodes/_kit/errors";
import { networkFailureCode } from "../nodes/_kit/network-errors";
import { makeTestCertificates } from "../nodes/mqtt/test-broker";
import { createHttpClient } from "./http-client";

const http = createHttpClient({ allow: ["127.0.0.1"] });
const closers: (() => Promise<void>)[] = [];

async function listen(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on: bound once to learn a free one, then closed. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => {
      throw new Error("the request did not fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  await http.close();
});

describe("network failures of the HTTP client", () => {
  it("names a closed port's host as refusing the connection, with the system's words after", async () => {
    const port = await closedPort();
    const err = await failure(http.request({ url: `http://127.0.0.1:${port}/forecast?key=secret` }));
    expect(err).toBeInstanceOf(NodeExternalError);
    expect(err.message).toBe(
      `Could not reach 127.0.0.1:${port} (connection refused); check the address and port, and that the service is running (GET http://127.0.0.1:${port}/forecast: connect ECONNREFUSED 127.0.0.1:${port})`,
    );
    expect((err as NodeExternalError).retryable).toBe(true);
    expect((err as NodeExternalError).details).toMatchObject({ systemCode: "ECONNREFUSED", url: `http://127.0.0.1:${port}/forecast` });
  });

  it("says a host that does not exist is no such host", async () => {
    const err = await failure(http.request({ url: "https://geocoding-api.open-meteo.invalid/v1/search?name=Berlin" }));
    expect(err.message).toBe(
      "Could not reach geocoding-api.open-meteo.invalid (no such host); check the host name for typos, and that it exists in DNS (GET https://geocoding-api.open-meteo.invalid/v1/search: getaddrinfo ENOTFOUND geocoding-api.open-meteo.invalid)",
    );
    expect(networkFailureCode(err.cause)).toBe("ENOTFOUND");
  });

  it("says so when the name of a host checked before connecting does not exist", async () => {
    const err = await failure(http.checkHost("smtp.example.invalid"));
    expect(err.message).toMatch(/^Could not reach smtp\.example\.invalid \(no such host\); check the host name .*\(getaddrinfo ENOTFOUND smtp\.example\.invalid\)$/);
  });

  it("says the connection was dropped when the server hangs up mid-request", async () => {
    const port = await listen(net.createServer((socket) => socket.resetAndDestroy()));
    const err = await failure(http.request({ url: `http://127.0.0.1:${port}/` }));
    expect(err.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} \\(the connection was dropped\\); .* \\(GET http://127\\.0\\.0\\.1:${port}/: .+\\)$`));
  });

  it("says the TLS handshake failed when https:// meets a plain port, and does not retry it", async () => {
    const port = await listen(net.createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    const err = await failure(http.request({ url: `https://127.0.0.1:${port}/` }));
    expect(err.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} \\(the TLS handshake failed\\); check that the port speaks HTTPS, or use http:// for a plain one \\(GET https://127\\.0\\.0\\.1:${port}/: .+\\)$`));
    expect((err as NodeExternalError).retryable).toBe(false);
  });

  describe("with a certificate no trusted authority signed", () => {
    let dir: string;
    let port: number;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "streamware-tls-"));
      const certificates = await makeTestCertificates({ dir });
      const server = https.createServer({ cert: await readFile(certificates.certFile), key: await readFile(certificates.keyFile) }, (_req, res) => res.end("ok"));
      port = await listen(server);
    });

    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("says the certificate is not trusted, naming the host", async () => {
      const err = await failure(http.request({ url: `https://127.0.0.1:${port}/` }));
      expect(err.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} \\(its TLS certificate is not trusted\\); .+ \\(GET https://127\\.0\\.0\\.1:${port}/: .+\\)$`));
      expect((err as NodeExternalError).retryable).toBe(false);
    });

    it("words the same failure the same way for SDKs that use the client's fetch", async () => {
      const err = await failure(http.fetch(`https://127.0.0.1:${port}/v1/models`));
      expect(networkFailureCode(err)).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });
  });

  it("keeps a blocked private address in words that say how to allow it", async () => {
    const strict = createHttpClient();
    closers.push(() => strict.close());
    const err = await failure(strict.request({ url: "http://127.0.0.1:9/" }));
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toMatch(/^Refused to connect to 127\.0\.0\.1 \(loopback\): .*allow the host with HTTP_ALLOW_HOSTS$/);
  });
});
