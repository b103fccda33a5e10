import { env } from "./env";
import { smtpMailer } from "./mailer";
import type { InvitationSettings } from "./services/invitation-service";

let settings: InvitationSettings | undefined;

/** How invitations are made in this process: their lifetime, the public address, and the mailer when SMTP_URL is set. */
export function invitationSettings(): InvitationSettings {
  if (!settings) {
    const config = env();
    settings = {
      ttlDays: config.INVITATION_TTL_DAYS,
      publicUrl: config.NEXTAUTH_URL,
      mailer: config.SMTP_URL ? smtpMailer({ url: config.SMTP_URL, from: config.SMTP_FROM }) : null,
    };
  }
  return settings;
}
