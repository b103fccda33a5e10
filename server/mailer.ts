import { onFirstUse } from "../nodes/_core/on-first-use";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends the instance's own mail (invitations); null when no SMTP server is configured. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * A mailer for `SMTP_URL` (smtp://user:password@host:587, or smtps:// for TLS from the start), sending as
 * `SMTP_FROM`. The address is the operator's own configuration, not a user's, so it is not held to the network
 * rules that nodes' requests are. The mail library is loaded by the first mail sent.
 */
export function smtpMailer({ url, from }: { url: string; from: string }): Mailer {
  const transport = onFirstUse(async () => (await import("nodemailer")).default.createTransport(url));
  return {
    async send(mail) {
      await (await transport.get()).sendMail({ from, ...mail });
    },
  };
}
