import { getSystemErrorName } from "node:util";
import { NodeExternalError } from "./errors";

/** What a system or TLS error code means to a person, and what they can do about it. */
interface Meaning {
  /** Short, after the host: "Could not reach <host> (<reason>)". */
  reason: string;
  advice: string;
  /** Certificate and protocol mismatches do not heal by themselves; retrying them only delays the message. */
  retryable: boolean;
}

const untrustedCertificate: Meaning = {
  reason: "its TLS certificate is not trusted",
  advice: "the certificate is self-signed or signed by an unknown authority; use the service's public address, or fix its certificate",
  retryable: false,
};

/**
 * The one table of network failures: Node's system codes, undici's socket codes and OpenSSL's certificate codes.
 * Every node that talks to the network (through ctx.http, an SDK on ctx.http.fetch, or MQTT) words its errors
 * from here, so the same failure reads the same everywhere.
 */
const MEANINGS: Record<string, Meaning> = {
  ENOTFOUND: { reason: "no such host", advice: "check the host name for typos, and that it exists in DNS", retryable: true },
  EAI_AGAIN: { reason: "the name could not be looked up just now", advice: "check this server's DNS and network connection; a retry may work", retryable: true },
  EAI_FAIL: { reason: "the name lookup failed", advice: "check this server's DNS settings", retryable: true },
  ECONNREFUSED: { reason: "connection refused", advice: "check the address and port, and that the service is running", retryable: true },
  ECONNRESET: { reason: "the connection was dropped", advice: "the service closed it mid-request; try again, and check the service if it persists", retryable: true },
  EPIPE: { reason: "the connection was dropped", advice: "the service closed it mid-request; try again, and check the service if it persists", retryable: true },
  UND_ERR_SOCKET: { reason: "the connection was dropped", advice: "the service closed it mid-request; try again, and check the service if it persists", retryable: true },
  ETIMEDOUT: { reason: "no answer in time", advice: "check the address, and that a firewall lets this server reach it", retryable: true },
  UND_ERR_CONNECT_TIMEOUT: { reason: "no answer in time", advice: "check the address, and that a firewall lets this server reach it", retryable: true },
  EHOSTUNREACH: { reason: "no route to the host", advice: "check the address and this server's network", retryable: true },
  ENETUNREACH: { reason: "the network is unreachable", advice: "check this server's network connection", retryable: true },
  CERT_HAS_EXPIRED: { reason: "its TLS certificate has expired", advice: "the service must renew its certificate", retryable: false },
  CERT_NOT_YET_VALID: { reason: "its TLS certificate is not valid yet", advice: "check this server's clock, or wait until the certificate's start date", retryable: false },
  ERR_TLS_CERT_ALTNAME_INVALID: { reason: "its TLS certificate is for another name", advice: "use a host name the certificate was issued for", retryable: false },
  DEPTH_ZERO_SELF_SIGNED_CERT: untrustedCertificate,
  SELF_SIGNED_CERT_IN_CHAIN: untrustedCertificate,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: untrustedCertificate,
  UNABLE_TO_GET_ISSUER_CERT: untrustedCertificate,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: untrustedCertificate,
  CERT_UNTRUSTED: untrustedCertificate,
  CERT_SIGNATURE_FAILURE: untrustedCertificate,
  EPROTO: { reason: "the TLS handshake failed", advice: "check that the port speaks HTTPS, or use http:// for a plain one", retryable: false },
  ERR_SSL_WRONG_VERSION_NUMBER: { reason: "the TLS handshake failed", advice: "check that the port speaks HTTPS, or use http:// for a plain one", retryable: false },
  ERR_SSL_PACKET_LENGTH_TOO_LONG: { reason: "the TLS handshake failed", advice: "check that the port speaks HTTPS, or use http:// for a plain one", retryable: false },
};

interface Coded {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The code as the table names it; some libraries (nodemailer) overwrite `code` with their own but keep `errno`. */
function codeOf({ code, errno }: Coded): string | undefined {
  if (typeof code === "string" && MEANINGS[code]) return code;
  if (typeof errno === "number" && errno < 0) {
    try {
      return getSystemErrorName(errno);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The first error in the chain whose code the table knows. fetch wraps the socket's error as `cause` of a
 * "fetch failed"; a host with several addresses fails with an AggregateError of one error per address.
 */
function knownFailure(err: unknown, depth = 0): { code: string; raw: string } | null {
  if (!err || typeof err !== "object" || depth > 5) return null;
  const { message, cause, errors } = err as Coded;
  const code = codeOf(err as Coded);
  if (code && MEANINGS[code]) {
    const first = Array.isArray(errors) ? (errors[0] as Coded | undefined)?.message : undefined;
    const text = typeof message === "string" && message ? message : typeof first === "string" ? first : code;
    return { code, raw: text.trim() };
  }
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = knownFailure(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The system code of a network failure anywhere in the error's chain, when the table knows it. */
export function networkFailureCode(err: unknown): string | undefined {
  return knownFailure(err)?.code;
}

/**
 * A network failure in words first: "Could not reach example.com (no such host); check the host name …", then the
 * raw error in parentheses (`raw` prefixes it, such as the request's method and URL). Null when `err` is not a
 * network failure the table knows, so the caller keeps its own message.
 */
export function unreachableError(args: {
  err: unknown;
  target: string;
  raw?: string;
  /** Replaces the table's advice where the protocol needs other words (mqtts:// rather than https://). */
  advice?: string;
  details?: Record<string, unknown>;
}): NodeExternalError | null {
  const found = knownFailure(args.err);
  if (!found) return null;
  const meaning = MEANINGS[found.code]!;
  const raw = args.raw ? `${args.raw}: ${found.raw}` : found.raw;
  return new NodeExternalError(`Could not reach ${args.target} (${meaning.reason}); ${args.advice ?? meaning.advice} (${raw})`, {
    retryable: meaning.retryable,
    details: { ...args.details, systemCode: found.code },
    cause: args.err,
  });
}
