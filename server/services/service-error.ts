import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";

/**
 * Each code a service may throw, with the HTTP status and the tRPC code it is answered with: the one table that
 * tRPC procedures and route handlers derive their answers from.
 */
export const serviceErrorStatus = {
  BAD_REQUEST: { http: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { http: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { http: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { http: 404, trpc: "NOT_FOUND" },
  CONFLICT: { http: 409, trpc: "CONFLICT" },
} as const satisfies Record<string, { http: number; trpc: TRPC_ERROR_CODE_KEY }>;

export type ServiceErrorCode = keyof typeof serviceErrorStatus;

/** Thrown by services; routers and route handlers answer it by its code (`serviceErrorStatus`). */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly details?: unknown;

  constructor({ code, message, details }: { code: ServiceErrorCode; message: string; details?: unknown }) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.details = details;
  }

  /** The HTTP status a route handler answers this error with (tRPC answers the same for `trpcCode`). */
  get httpStatus(): number {
    return serviceErrorStatus[this.code].http;
  }

  get trpcCode(): TRPC_ERROR_CODE_KEY {
    return serviceErrorStatus[this.code].trpc;
  }
}
