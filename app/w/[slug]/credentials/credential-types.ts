import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/routers/_app";

type Outputs = inferRouterOutputs<AppRouter>;
/** A stored credential as the API lists it (never its secret values). */
export type CredentialSummary = Outputs["credential"]["list"][number];
/** A credential type with its fields' JSON Schema, from the catalog. */
export type CredentialTypeEntry = Outputs["nodeCatalog"]["credentialTypes"][number];
