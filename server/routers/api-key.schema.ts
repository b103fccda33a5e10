import { z } from "zod";
import { storableName, unstorableNameMessage } from "../../nodes/_core/json-check";
import { apiKeyScopeNames } from "../services/workspace-roles";

const workspaceId = z.string().min(1).max(64);
const FIVE_YEARS_MS = 5 * 366 * 86_400_000;

export const listApiKeysInput = z.object({ workspaceId });
export const createApiKeyInput = z.object({
  workspaceId,
  name: z.string().trim().min(1, "Give the key a name, such as the program that will use it").max(80, "Keep the name under 80 characters").refine(storableName, unstorableNameMessage("Name")),
  scopes: z
    .array(z.enum(apiKeyScopeNames, { error: `Scopes are ${apiKeyScopeNames.join(", ")}` }))
    .min(1, "Choose at least one scope")
    .max(apiKeyScopeNames.length),
  /** Left out, the key works until it is revoked. */
  expiresAt: z
    .date()
    .refine((date) => date.getTime() > Date.now(), "Choose an expiry date in the future, or none")
    .refine((date) => date.getTime() < Date.now() + FIVE_YEARS_MS, "Choose an expiry within five years, or none")
    .optional(),
});
export const apiKeyRefInput = z.object({ workspaceId, apiKeyId: z.string().min(1).max(64) });
