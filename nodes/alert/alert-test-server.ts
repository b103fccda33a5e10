import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { readBody, startTestServer } from "../_kit/test-http-server";

const smtpServers: SMTPServer[] = [];

/** Closes every SMTP server `smtp()` started; for `afterEach`. */
export async function closeSmtpServers(): Promise<void> {
  await Promise.all(smtpServers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

interface Mail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** A real SMTP server on loopback that signs in one user and keeps every message it accepts. */
export async function smtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts" && auth.password === "s3cret") return callback(null, { user: auth.username });
      callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  smtpServers.push(server);
  const { port } = server.server.address() as AddressInfo;
  const credential = { host: "127.0.0.1", port: String(port), security: "none", username: "alerts", password: "s3cret", from: "Streamware Alerts <alerts@example.com>" };
  return { mails, port, credential };
}

interface Received {
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** Slack, Discord, Teams, Telegram and a plain webhook on one loopback server, answering as each service does. */
export async function services(options: { fail?: string[] } = {}) {
  const received: Received[] = [];
  const server = await startTestServer(async (req, res) => {
    const url = new URL(req.url!, "http://services.test");
    const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    received.push({ path: url.pathname + url.search, body, headers: req.headers });
    const service = url.pathname.split("/")[1]!;
    if (options.fail?.includes(service)) {
      res.writeHead(503, { "content-type": "text/plain" });
      return res.end("service unavailable");
    }
    if (service === "slack") return res.end("ok");
    if (service === "teams") return res.end("1");
    res.setHeader("content-type", "application/json");
    if (service === "discord") return res.end(JSON.stringify({ id: "1250000000000000001", type: 0, content: body.content, channel_id: "99" }));
    if (service === "telegram") {
      if (url.pathname.endsWith("/getMe")) return res.end(JSON.stringify({ ok: true, result: { id: 7, is_bot: true, first_name: "Alerts", username: "streamware_alerts_bot" } }));
      if (body.chat_id === "404") {
        res.statusCode = 400;
        return res.end(JSON.stringify({ ok: false, error_code: 400, description: "Bad Request: chat not found" }));
      }
      return res.end(JSON.stringify({ ok: true, result: { message_id: 42, chat: { id: Number(body.chat_id), type: "group" }, date: 1718193600, text: "…" } }));
    }
    res.end(JSON.stringify({ id: "evt_1" }));
  });
  const credentials = {
    "slack.incoming-webhook": { url: `${server.url}/slack/services/T0/B0/XYZ` },
    "discord.webhook": { url: `${server.url}/discord/api/webhooks/1/abc` },
    "teams.incoming-webhook": { url: `${server.url}/teams/webhookb2/xyz` },
    "telegram.bot": { token: "123456:ABC-def_ghi", baseUrl: `${server.url}/telegram` },
  };
  const byService = (name: string) => received.filter((r) => r.path.startsWith(`/${name}/`));
  return { server, received, credentials, byService };
}
