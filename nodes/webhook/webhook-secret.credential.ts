import { z } from "zod";
import { defineCredential } from "../_kit/define-credential";

export const webhookSecretCredential = defineCredential({
  type: "webhook.secret",
  name: "Webhook secret",
  description: "The shared secret a webhook checks: sent as a header token, or the key of the body's HMAC.",
  fields: z.object({
    secret: z.string().min(16, "use at least 16 characters, ideally random").meta({ title: "Secret" }),
  }),
  secretFields: ["secret"],
});
