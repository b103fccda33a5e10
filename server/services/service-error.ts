export type ServiceErrorCode = "NOT_FOUND" | "FORBIDDEN" | "BAD_REQUEST" | "CONFLICT" | "UNAUTHORIZED";

/** Thrown by services; routers turn the code into the matching tRPC error. */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly details?: unknown;

  constructor({ code, message, details }: { code: ServiceErrorCode; message: string; details?: unknown }) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.details = details;
  }
}
