import type { CodeLog } from "./context";

/** The base of every error a node raises on purpose; the engine records `code` and decides on retries by it. */
export class NodeError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: { code: string; retryable: boolean; details?: Record<string, unknown>; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable;
    this.details = options.details;
  }
}

/** The node is set up wrongly (a bad field, a missing credential). Retrying cannot help, so it never is. */
export class NodeConfigError extends NodeError {
  constructor(message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: "CONFIG", retryable: false, ...options });
  }
}

/**
 * Something outside failed (a service answered 503, a connection dropped). Retryable unless said otherwise,
 * and it keeps the upstream status so the run shows what the other side answered.
 */
export class NodeExternalError extends NodeError {
  readonly status?: number;

  constructor(message: string, options: { status?: number; retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, { code: "EXTERNAL", retryable: options.retryable ?? true, details: options.details, cause: options.cause });
    this.status = options.status;
  }
}

/** The step ran longer than its timeout. Retryable: the next attempt may be quicker. */
export class NodeTimeoutError extends NodeError {
  constructor(timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms`, { code: "TIMEOUT", retryable: true, details: { timeoutMs } });
  }
}

/** The run was cancelled while the step ran. */
export class NodeCancelledError extends NodeError {
  constructor(reason = "The run was cancelled") {
    super(reason, { code: "CANCELLED", retryable: false });
  }
}

/** An error as stored on a step and sent to the editor. */
export interface SerializedNodeError {
  message: string;
  code: string;
  retryable: boolean;
  status?: number;
  details?: Record<string, unknown>;
}

export function serializeError(err: unknown): SerializedNodeError {
  if (err instanceof NodeExternalError) {
    return { message: err.message, code: err.code, retryable: err.retryable, status: err.status, details: err.details };
  }
  if (err instanceof NodeError) return { message: err.message, code: err.code, retryable: err.retryable, details: err.details };
  if (err instanceof Error) return { message: err.message, code: "INTERNAL", retryable: false };
  return { message: String(err), code: "INTERNAL", retryable: false };
}

/** What failed in a code node's JavaScript (ctx.code). */
export type CodeErrorKind = "syntax" | "runtime" | "timeout" | "memory" | "output" | "result";

/** User code failed. The code, not the moment, is at fault, so it is never retried. */
export class CodeError extends NodeError {
  readonly kind: CodeErrorKind;
  /** What the code logged before it failed; also in `details`, so the editor shows it with the error. */
  readonly logs: CodeLog[];

  constructor(message: string, details: { kind: CodeErrorKind; line?: number; column?: number; logs?: CodeLog[] }) {
    super(message, { code: "CODE", retryable: false, details });
    this.kind = details.kind;
    this.logs = details.logs ?? [];
  }
}
