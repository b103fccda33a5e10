import { createHash } from "node:crypto";

export const auditActorKinds = ["user", "apiKey", "system", "shareLink"] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** An audit event as stored, with the fields its hash covers. */
export interface ChainedAuditEvent {
  id?: string;
  workspaceId: string | null;
  chain: string;
  seq: number;
  actorId: string | null;
  actorKind: string;
  action: string;
  targetType: string;
  targetId: string | null;
  data: Json;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  prevHash: string;
  hash: string;
}

/** Each workspace has a chain of its own; events with no workspace (instance sign-ins, user admin) share one. */
export function auditChainOf(workspaceId: string | null): string {
  return workspaceId ?? "instance";
}

/** JSON with object keys sorted at every level, so the same value always gives the same bytes. */
function canonicalJson(value: Json): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key]!)}`).join(",")}}`;
}

/** SHA-256 over every stored field of the event and the hash of the one before it. */
export function auditEventHash(event: Omit<ChainedAuditEvent, "hash" | "id">): string {
  const covered: Json = [
    event.chain,
    event.seq,
    event.prevHash,
    event.workspaceId,
    event.actorKind,
    event.actorId,
    event.action,
    event.targetType,
    event.targetId,
    event.data,
    event.ip,
    event.userAgent,
    event.createdAt.toISOString(),
  ];
  return createHash("sha256").update(canonicalJson(covered)).digest("hex");
}

export interface ChainHead {
  headSeq: number;
  headHash: string;
  prunedSeq: number;
  prunedHash: string;
}

export type ChainVerdict =
  | { ok: true; events: number }
  | { ok: false; events: number; seq: number; eventId: string | null; problem: "changed" | "removed" | "out of order"; message: string };

/**
 * Walks a chain in sequence order and names the first event that was changed or removed: an event whose stored
 * hash is not the hash of its fields was changed; a gap in the sequence, or a link to a hash that is not the
 * previous event's, means events were removed (or one was put in out of band); a chain that ends before its
 * recorded head lost its latest events.
 */
export async function verifyAuditChain(events: AsyncIterable<ChainedAuditEvent>, head: ChainHead | null): Promise<ChainVerdict> {
  let expectedSeq = (head?.prunedSeq ?? 0) + 1;
  let expectedPrev = head?.prunedHash ?? "";
  let count = 0;
  for await (const event of events) {
    // Events from before the chain existed (the migration that added it) carry no hashes and are not covered.
    if (event.seq <= (head?.prunedSeq ?? 0)) continue;
    count++;
    const fail = (problem: "changed" | "removed" | "out of order", message: string): ChainVerdict => ({ ok: false, events: count, seq: event.seq, eventId: event.id ?? null, problem, message });
    if (event.seq !== expectedSeq) {
      const missing = event.seq - 1 === expectedSeq ? `event ${expectedSeq} is` : `events ${expectedSeq}–${event.seq - 1} are`;
      return fail("removed", `${missing} missing: the chain jumps from ${expectedSeq - 1} to ${event.seq}`);
    }
    if (auditEventHash(event) !== event.hash) return fail("changed", `event ${event.seq} (${event.action}) was changed after it was written`);
    if (event.prevHash !== expectedPrev) return fail("out of order", `event ${event.seq} (${event.action}) does not follow event ${event.seq - 1}: an event before it was changed or replaced`);
    expectedSeq = event.seq + 1;
    expectedPrev = event.hash;
  }
  const last = expectedSeq - 1;
  if (head && last < head.headSeq) {
    const missing = head.headSeq === last + 1 ? `event ${last + 1} is` : `events ${last + 1}–${head.headSeq} are`;
    return { ok: false, events: count, seq: last + 1, eventId: null, problem: "removed", message: `${missing} missing: the chain ends at ${last}, its head is ${head.headSeq}` };
  }
  if (head && last === head.headSeq && last > head.prunedSeq && expectedPrev !== head.headHash) {
    return { ok: false, events: count, seq: last, eventId: null, problem: "changed", message: `event ${last} is not the event the chain's head recorded` };
  }
  return { ok: true, events: count };
}
