import { STATUS_CODES } from "node:http";

/**
 * An HTTP status with its reason phrase, such as "503 Service Unavailable", for error messages. Apart from the
 * errors module, which the flow core and so the browser reach: Node's http module stays on the server.
 */
export function describeStatus(status: number): string {
  const reason = STATUS_CODES[status];
  return reason ? `${status} ${reason}` : String(status);
}
