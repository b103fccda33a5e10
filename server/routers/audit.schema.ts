import { z } from "zod";

const workspaceId = z.string().min(1).max(64);
const moment = z.iso.datetime({ offset: true, error: "a time such as 2026-01-31T09:00:00Z" }).transform((text) => new Date(text));

export const auditFilterInput = z.object({
  workspaceId,
  actor: z.string().trim().min(1).max(200).optional(),
  action: z.string().trim().min(1).max(100).optional(),
  targetType: z.string().trim().min(1).max(50).optional(),
  targetId: z.string().trim().min(1).max(64).optional(),
  from: moment.optional(),
  to: moment.optional(),
});

export const listAuditInput = auditFilterInput.extend({
  limit: z.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page of this same list. */
  cursor: z.number().int().min(1).optional(),
});

export const auditRetentionInput = z.object({
  workspaceId,
  days: z.number({ error: "Keep events for a number of days" }).int("Keep events for a whole number of days").min(1, "Keep events for at least 1 day").max(3650, "Keep events for at most 3650 days (10 years)"),
});
