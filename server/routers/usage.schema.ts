import { z } from "zod";

const day = z.iso.date("a day such as 2026-01-31");

export const usageSummaryInput = z.object({
  workspaceId: z.string().min(1).max(64),
  /** First day counted (UTC), inclusive; 30 days before `to` by default. */
  from: day.optional(),
  /** Last day counted (UTC), inclusive; today by default. */
  to: day.optional(),
});
