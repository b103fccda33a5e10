import { z } from "zod";
import { onFirstUse } from "../_core/on-first-use";
import type { HttpClient } from "../_kit/context";
import { defineCredential } from "../_kit/define-credential";
import { unreachableError } from "../_kit/network-errors";

export const smtpServerFields = z.object({
  host: z.string().trim().min(1, "the SMTP server's host name is required").meta({ title: "Host", examples: ["smtp.example.com"] }),
  port: z.coerce.number().int().min(1).max(65535).default(587).meta({ title: "Port", description: "587 for STARTTLS, 465 for TLS, 25 for plain relays." }),
  security: z
    .enum(["starttls", "tls", "none"])
    .default("starttls")
    .meta({ title: "Security", description: "STARTTLS upgrades a plain connection and refuses to go on without it; TLS connects encrypted from the start." }),
  username: z.string().optional().meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password" }),
  from: z.string().trim().min(3, "a sender address is required").meta({ title: "From", examples: ["Alerts <alerts@example.com>"] }),
});

export type SmtpServer = z.output<typeof smtpServerFields>;

// The mail library is loaded by the first mail an alert sends (or the first credential test).
const nodemailer = onFirstUse(async () => (await import("nodemailer")).default);

/**
 * A nodemailer transport to the server's checked address: the host is resolved and refused like any other
 * outbound connection (no private or metadata addresses unless allowed), and TLS still verifies the host name.
 */
export async function smtpTransport({ server, http }: { server: SmtpServer; http: HttpClient }) {
  const [address] = await http.checkHost(server.host);
  return (await nodemailer.get()).createTransport({
    host: address,
    port: server.port,
    secure: server.security === "tls",
    requireTLS: server.security === "starttls",
    ignoreTLS: server.security === "none",
    auth: server.username ? { user: server.username, pass: server.password ?? "" } : undefined,
    tls: { servername: server.host },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

/** Turns nodemailer's errors into a sentence that says which server and what to check. */
export function describeSmtpError({ server, err }: { server: SmtpServer; err: unknown }): string {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const where = `the SMTP server ${server.host}:${server.port}`;
  if (e.code === "EAUTH") return `${where} refused the sign-in as "${server.username ?? ""}": ${e.response ?? e.message}; check the user name and password`;
  if (e.code === "ECONNECTION" || e.code === "ETIMEDOUT" || e.code === "ESOCKET" || e.code === "EDNS") {
    const advice = "check the host, the port and the security setting";
    return unreachableError({ err, target: where, advice })?.message ?? `Could not reach ${where} (${e.message}); ${advice}`;
  }
  if (e.responseCode) return `${where} answered ${e.responseCode}: ${e.response ?? e.message}`;
  return `${where}: ${e.message ?? String(err)}`;
}

export const smtpServerCredential = defineCredential({
  type: "smtp.server",
  name: "SMTP server",
  description: "An outgoing mail server that sends alert and notification e-mail.",
  fields: smtpServerFields,
  secretFields: ["password"],
  async test({ data, ctx }) {
    const transport = await smtpTransport({ server: data, http: ctx.http });
    try {
      await transport.verify();
    } catch (err) {
      throw new Error(describeSmtpError({ server: data, err }), { cause: err });
    } finally {
      transport.close();
    }
    return `${data.host}:${data.port} accepted the connection${data.username ? ` and the sign-in as ${data.username}` : ""}`;
  },
});
