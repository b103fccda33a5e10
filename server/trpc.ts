import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { Context } from "./context";
import { checkJson, describeJsonProblem, ENVELOPE_DEPTH, jsonMaxDepth } from "../nodes/_core/json-check";
import { ServiceError } from "./services/service-error";
import type { Permission } from "./services/workspace-roles";
import { instanceAdminService } from "./services/instance-admin-service";
import { workspaceService } from "./services/workspace-service";
import { withLogFields } from "../runner/log-context";

/**
 * Inputs are refused when they nest deeper than a flow document may in its request, before anything recursive reads
 * them (superjson's copy, zod, Prisma); a shallower document too deep for its own limit is refused by its schema.
 */
function refuseDeepInput(input: unknown): void {
  const maxDepth = jsonMaxDepth() + 2 * ENVELOPE_DEPTH;
  const problem = checkJson(input, { maxDepth, root: "input" });
  if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: describeJsonProblem(problem, { what: "The request", setting: `JSON_MAX_DEPTH (requests may nest JSON_MAX_DEPTH + ${2 * ENVELOPE_DEPTH} levels)` }) });
}

/**
 * What a procedure declares about itself, read by the role tests: the permission its workspace gate asks for, or
 * that it is an instance action behind `instanceProcedure`.
 */
export interface ProcedureMeta {
  permission?: Permission;
  instance?: true;
}

const t = initTRPC.context<Context>().meta<ProcedureMeta>().create({
  transformer: {
    input: {
      serialize: (value: unknown) => superjson.serialize(value),
      deserialize: (payload: unknown) => {
        refuseDeepInput(payload);
        return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
      },
    },
    output: superjson,
  },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        // Zod issues and service details (such as a flow document's issues with their paths) reach the client.
        issues: cause instanceof ZodError ? cause.issues : undefined,
        details: cause instanceof ServiceError ? cause.details : undefined,
      },
    };
  },
});

/** Services throw coded errors; this is the one place they become tRPC errors. */
const mapServiceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.trpcCode, message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/**
 * Server-side callers (tests, the CLI) skip the transformer, so their inputs' depth is checked here. A call that
 * failed unexpectedly on an input holding text PostgreSQL cannot store (a NUL in an id) was the caller's to fix: it
 * is answered as such, with where, instead of as a server error. Fields people type say so in their own words first.
 */
const guardInputs = t.middleware(async ({ getRawInput, next }) => {
  const input = await getRawInput();
  refuseDeepInput(input);
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && !(result.error.cause instanceof ServiceError)) {
    const problem = checkJson(input, { maxDepth: Infinity, text: true, root: "input" });
    if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: describeJsonProblem(problem, { what: "The request" }), cause: result.error });
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapServiceErrors).use(guardInputs);
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** What every workspace-scoped input starts with; each procedure's own schema adds to it. */
const workspaceScope = z.object({ workspaceId: z.string().min(1).max(64) });

/**
 * A procedure acting inside one workspace, open to the members whose role has `permission` (see `permissions` in
 * workspace-roles). The one gate for tRPC: the caller's membership is checked before the procedure runs, and the
 * workspace (its id and the caller's role) is on `ctx.workspace`. A workspace the caller does not belong to is
 * answered exactly like one that does not exist.
 */
export function workspaceProcedure(permission: Permission) {
  return protectedProcedure.meta({ permission }).input(workspaceScope).use(async ({ ctx, input, next }) => {
    const role = await workspaceService.requireRole({ db: ctx.db, userId: ctx.user.id, workspaceId: input.workspaceId, permission });
    // What the procedure logs names its workspace.
    return withLogFields({ workspaceId: input.workspaceId }, () => next({ ctx: { ...ctx, workspace: { id: input.workspaceId, role } } }));
  });
}

/**
 * An action on the instance as a whole (its users, every workspace, its own audit chain), open only to instance
 * administrators. Being an owner of any number of workspaces grants none of these: the one gate for them, checked
 * against the stored user on every call so a revoked administrator loses it at once.
 */
export const instanceProcedure = protectedProcedure.meta({ instance: true }).use(async ({ ctx, next }) => {
  await instanceAdminService.requireInstanceAdmin({ db: ctx.db, userId: ctx.user.id });
  return next();
});
