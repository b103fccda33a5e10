import { z } from "zod";
import { credentialCatalog, nodeCatalog, portsFor } from "../services/node-catalog-service";
import { protectedProcedure, router } from "../trpc";

export const nodeCatalogRouter = router({
  /** Every node type with its config's JSON Schema (UI hints included), ports and credential type. */
  list: protectedProcedure.query(() => nodeCatalog()),
  /** Every credential type with its fields' JSON Schema (secret fields marked) and whether it can be tested. */
  credentialTypes: protectedProcedure.query(() => credentialCatalog()),
  /** The ports of a node whose ports follow its config (switch, A/B split). */
  ports: protectedProcedure
    .input(z.object({ type: z.string().min(1).max(120), config: z.record(z.string(), z.unknown()) }))
    .query(({ input }) => portsFor(input)),
});
