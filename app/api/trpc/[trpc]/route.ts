import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContext } from "@/server/context";
import { logger } from "@/server/logger";
import { appRouter } from "@/server/routers/_app";
import { auditOriginOf, withAuditOrigin } from "@/server/services/audit-origin";

function handler(req: Request) {
  return withAuditOrigin(auditOriginOf(req.headers), () => fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext,
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error, path }, "tRPC procedure failed");
    },
  }));
}

export { handler as GET, handler as POST };
