import { z } from "zod";
import { MAX_POINTS, MAX_WIDGET_SERIES, seriesName } from "../../nodes/_core/dashboard";
import { brandingInput, embedOrigins } from "../../nodes/_core/dashboard-share";

const workspaceId = z.string().min(1).max(64);
const dashboardId = z.string().min(1).max(64);
const shareId = z.string().min(1).max(64);

export const shareListInput = z.object({ workspaceId, dashboardId });
export const shareCreateInput = z.object({
  workspaceId,
  dashboardId,
  label: z.string().trim().max(80, "Keep a link's name under 80 characters").optional(),
  expiresAt: z.iso.datetime({ offset: true, message: "The expiry must be an ISO date and time, such as 2026-01-31T12:00:00Z" }).optional(),
});
export const shareRevokeInput = z.object({ workspaceId, shareId });
export const shareEmbedInput = z.object({ workspaceId, dashboardId, origins: embedOrigins });
export const brandingGetInput = z.object({ workspaceId });
export const brandingUpdateInput = z.object({ workspaceId, branding: brandingInput });

/** The query of a shared dashboard's points route: the member procedure's input, without the workspace. */
export const sharePointsQuery = z
  .object({
    series: z.array(seriesName).min(1, "Name at least one series").max(MAX_WIDGET_SERIES, `Ask for at most ${MAX_WIDGET_SERIES} series at a time`),
    from: z.iso.datetime({ offset: true, message: "from must be an ISO date and time, such as 2026-01-31T12:00:00Z" }),
    to: z.iso.datetime({ offset: true, message: "to must be an ISO date and time, such as 2026-01-31T12:00:00Z" }),
    maxPoints: z.coerce.number().int().min(10, "maxPoints is at least 10").max(MAX_POINTS, `maxPoints is at most ${MAX_POINTS}`).default(500),
  })
  .refine((input) => Date.parse(input.from) < Date.parse(input.to), { message: "from must come before to", path: ["from"] });

export const shareAbResultsQuery = z.object({
  flowId: z.string({ message: "Name the experiment's flow (flowId)" }).min(1).max(64),
  experiment: z.string({ message: "Name the experiment" }).trim().min(1, "Name the experiment").max(100),
});
