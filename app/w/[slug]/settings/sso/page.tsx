import { env } from "@/server/env";
import { SsoSettings } from "./sso-settings";

export const dynamic = "force-dynamic";

export default function SsoPage() {
  const configured = env().NEXTAUTH_URL;
  // The redirect URI is built on the instance's public address when one is set, else on the address in the browser.
  return <SsoSettings publicOrigin={configured ? new URL(configured).origin : null} />;
}
