import { z } from "zod";
import { storableName, unstorableNameMessage } from "../../nodes/_core/json-check";

const workspaceId = z.string().min(1).max(64);
const credentialId = z.string().min(1).max(64);
const name = z.string().trim().min(1, "Give the credential a name").max(120, "Keep the name under 120 characters")
  .refine(storableName, unstorableNameMessage("Name"));
const data = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "field names are letters, digits and '_'"), z.union([z.string().max(20_000), z.number(), z.boolean()]))
  .refine((d) => Object.keys(d).length <= 50, "a credential has at most 50 fields");

export const listCredentialsInput = z.object({ workspaceId });
export const createCredentialInput = z.object({
  workspaceId,
  name,
  type: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/, 'must be a credential type such as "openai" or "mqtt.broker"'),
  data,
});
export const updateCredentialInput = z.object({ workspaceId, credentialId, name: name.optional(), data: data.optional() });
export const testCredentialInput = z.object({ workspaceId, credentialId: credentialId.optional(), type: z.string().max(120).optional(), data: data.optional() });
export const credentialRefInput = z.object({ workspaceId, credentialId });
