import { z } from "zod";
import type { HttpClient } from "./context";
import { describeConfigIssues } from "./define-node";

/** What a credential's connection test gets: the same SSRF-safe client and cancel signal a node has. */
export interface CredentialTestContext {
  http: HttpClient;
  signal: AbortSignal;
}

type FieldValue = string | number | boolean;

export interface CredentialSpec<Fields extends z.ZodObject<Record<string, z.ZodType<FieldValue | undefined>>>> {
  /** Stored with each credential and named by nodes: never renamed. */
  type: string;
  name: string;
  description: string;
  /** One zod object: the form (via JSON Schema and `.meta()`), and the check on every save. */
  fields: Fields;
  /** Fields whose values are secrets: masked in the form; like every value, never sent back to the browser. */
  secretFields: (keyof z.infer<Fields> & string)[];
  /** Proves the credential works (connects, signs in) and says what it reached; throws with what to fix. */
  test?: (args: { data: z.infer<Fields>; ctx: CredentialTestContext }) => Promise<string>;
}

export interface CredentialDefinition {
  type: string;
  name: string;
  description: string;
  fields: z.ZodObject;
  secretFields: string[];
  testable: boolean;
  /** Checks stored data against the fields; throws an Error naming each field at fault. */
  parse(data: Record<string, unknown>): Record<string, FieldValue>;
  test(data: Record<string, unknown>, ctx: CredentialTestContext): Promise<string>;
}

export function defineCredential<Fields extends z.ZodObject<Record<string, z.ZodType<FieldValue | undefined>>>>(
  spec: CredentialSpec<Fields>,
): CredentialDefinition {
  const parse = (data: Record<string, unknown>) => {
    const parsed = spec.fields.safeParse(data);
    if (!parsed.success) throw new Error(`The ${spec.name} credential is not filled in correctly: ${describeConfigIssues(parsed.error.issues)}`);
    return parsed.data as Record<string, FieldValue>;
  };
  return {
    type: spec.type,
    name: spec.name,
    description: spec.description,
    fields: spec.fields,
    secretFields: spec.secretFields,
    testable: Boolean(spec.test),
    parse,
    async test(data, ctx) {
      if (!spec.test) throw new Error(`A ${spec.name} credential has no connection test; use it in a node and run that.`);
      return spec.test({ data: parse(data) as z.infer<Fields>, ctx });
    },
  };
}

/** The JSON Schema of a credential's fields, for the editor's form; secret fields are marked `secret: true`. */
export function credentialJsonSchema(definition: CredentialDefinition): Record<string, unknown> {
  const schema = z.toJSONSchema(definition.fields, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
  };
  for (const field of definition.secretFields) {
    if (schema.properties?.[field]) schema.properties[field].secret = true;
  }
  return schema as Record<string, unknown>;
}
