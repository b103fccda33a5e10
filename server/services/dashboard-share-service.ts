import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { widget, type Widget } from "../../nodes/_core/dashboard";
import { MAX_SHARES_PER_DASHBOARD, SHARE_TOKEN_PATTERN, type Branding, type ShareSummary, type SharedDashboard } from "../../nodes/_core/dashboard-share";
import type { SeriesPoints } from "../../nodes/_core/dashboard";
import { abTestService, type ExperimentResult } from "./ab-test-service";
import { auditService } from "./audit-service";
import { seriesService, type SeriesSummary } from "./series-service";
import { ServiceError } from "./service-error";

/** A workspace the caller is already known to act in at the needed role (the router's `workspaceProcedure`). */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

/** What a share token opens, once checked: it is signed by this instance, stored, not revoked and not expired. */
export interface ResolvedShare {
  workspaceId: string;
  dashboardId: string;
  shareId: string;
}

const RANDOM_BYTES = 18;
const SIGNATURE_BYTES = 16;

const shareNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "This shared dashboard does not exist, or its link was revoked or has expired." });
const dashboardNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Dashboard not found" });
const linkNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Share link not found" });

/** The key share links are signed with, derived from the instance's secret so it is never used as is. */
function signingKey(secret: string): Buffer {
  return createHmac("sha256", secret).update("streamware dashboard share links").digest();
}

function signatureOf({ secret, id }: { secret: string; id: string }): string {
  return createHmac("sha256", signingKey(secret)).update(id).digest().subarray(0, SIGNATURE_BYTES).toString("base64url");
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A token signed by this instance: anything else is refused before the database is asked. */
function signedByUs({ secret, token }: { secret: string; token: string }): boolean {
  if (!SHARE_TOKEN_PATTERN.test(token)) return false;
  const [id, signature] = token.split(".") as [string, string];
  const expected = Buffer.from(signatureOf({ secret, id }));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const summarySelect = { id: true, label: true, createdAt: true, createdById: true, expiresAt: true, revokedAt: true } as const;

function toSummary(row: { id: string; label: string | null; createdAt: Date; createdById: string | null; expiresAt: Date | null; revokedAt: Date | null }, now = Date.now()): ShareSummary {
  return {
    id: row.id,
    label: row.label,
    createdAt: row.createdAt,
    createdBy: row.createdById,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    active: !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > now),
  };
}

function storedWidgets(value: Prisma.JsonValue): Widget[] {
  return (Array.isArray(value) ? value : []).flatMap((item) => {
    const one = widget.safeParse(item);
    return one.success ? [one.data] : [];
  });
}

/** The dashboard a share opens, as stored now. */
async function sharedRow({ db, share }: { db: Db; share: ResolvedShare }) {
  const row = await db.dashboard.findFirst({
    where: { id: share.dashboardId, workspaceId: share.workspaceId },
    select: { id: true, name: true, description: true, widgets: true, embedOrigins: true, workspace: { select: { name: true, brandName: true, brandLogo: true, brandAccent: true } } },
  });
  if (!row) throw shareNotFound();
  return row;
}

async function sharedWidgets({ db, share }: { db: Db; share: ResolvedShare }): Promise<Widget[]> {
  const row = await db.dashboard.findFirst({ where: { id: share.dashboardId, workspaceId: share.workspaceId }, select: { widgets: true } });
  if (!row) throw shareNotFound();
  return storedWidgets(row.widgets);
}

const seriesOf = (widgets: readonly Widget[]) => new Set(widgets.flatMap((w) => w.series));

export const dashboardShareService = {
  /**
   * Makes a read-only link to a dashboard; the link's token is in the answer this once, and stored only as its
   * SHA-256. Another workspace's dashboard is not found.
   */
  async create({ db, userId, workspaceId, dashboardId, label, expiresAt, secret }: Scope & { dashboardId: string; label?: string; expiresAt?: Date; secret: string }): Promise<{ share: ShareSummary; token: string }> {
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new ServiceError({ code: "BAD_REQUEST", message: "Choose an expiry in the future, or none." });
    const id = randomBytes(RANDOM_BYTES).toString("base64url");
    const token = `${id}.${signatureOf({ secret, id })}`;
    return db.$transaction(async (tx) => {
      const dashboard = await tx.dashboard.findFirst({ where: { id: dashboardId, workspaceId }, select: { id: true, _count: { select: { shares: true } } } });
      if (!dashboard) throw dashboardNotFound();
      if (dashboard._count.shares >= MAX_SHARES_PER_DASHBOARD) {
        throw new ServiceError({ code: "CONFLICT", message: `This dashboard has ${MAX_SHARES_PER_DASHBOARD} share links, the most it may hold; delete the dashboard's old links by making a copy of it, or reuse an active link.` });
      }
      const row = await tx.dashboardShare.create({
        data: { workspaceId, dashboardId, label: label || null, tokenHash: hashToken(token), createdById: userId, expiresAt: expiresAt ?? null },
        select: summarySelect,
      });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "dashboard.share.create", targetType: "dashboard", targetId: dashboardId, data: { shareId: row.id, expiresAt: expiresAt?.toISOString() ?? null } },
      });
      return { share: toSummary(row), token };
    });
  },

  /** The dashboard's share links, newest first, without their tokens; with the origins that may embed them. */
  async list({ db, workspaceId, dashboardId }: { db: Db; workspaceId: string; dashboardId: string }): Promise<{ shares: ShareSummary[]; embedOrigins: string[] }> {
    const dashboard = await db.dashboard.findFirst({ where: { id: dashboardId, workspaceId }, select: { embedOrigins: true } });
    if (!dashboard) throw dashboardNotFound();
    const rows = await db.dashboardShare.findMany({ where: { workspaceId, dashboardId }, select: summarySelect, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    const now = Date.now();
    return { shares: rows.map((row) => toSummary(row, now)), embedOrigins: dashboard.embedOrigins };
  },

  /** Stops a link from working at once; revoking a revoked link changes nothing. Another workspace's link is not found. */
  async revoke({ db, userId, workspaceId, shareId }: Scope & { shareId: string }): Promise<ShareSummary> {
    return db.$transaction(async (tx) => {
      const found = await tx.dashboardShare.findFirst({ where: { id: shareId, workspaceId }, select: { ...summarySelect, dashboardId: true } });
      if (!found) throw linkNotFound();
      if (found.revokedAt) return toSummary(found);
      const row = await tx.dashboardShare.update({ where: { id: shareId }, data: { revokedAt: new Date() }, select: summarySelect });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "dashboard.share.revoke", targetType: "dashboard", targetId: found.dashboardId, data: { shareId } } });
      return toSummary(row);
    });
  },

  /** Which origins may show the dashboard's share links in a frame; none by default. */
  async setEmbedOrigins({ db, userId, workspaceId, dashboardId, origins }: Scope & { dashboardId: string; origins: string[] }): Promise<{ embedOrigins: string[] }> {
    return db.$transaction(async (tx) => {
      const changed = await tx.dashboard.updateMany({ where: { id: dashboardId, workspaceId }, data: { embedOrigins: origins } });
      if (changed.count === 0) throw dashboardNotFound();
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "dashboard.embed.update", targetType: "dashboard", targetId: dashboardId, data: { origins } } });
      return { embedOrigins: origins };
    });
  },

  /**
   * What a token opens. Unknown, tampered, revoked and expired tokens, and those of a dashboard since deleted, are
   * all not found alike, so a token's answer tells nothing about other links.
   */
  async resolve({ db, token, secret }: { db: Db; token: string; secret: string }): Promise<ResolvedShare> {
    if (!signedByUs({ secret, token })) throw shareNotFound();
    const row = await db.dashboardShare.findUnique({
      where: { tokenHash: hashToken(token) },
      select: { id: true, workspaceId: true, dashboardId: true, expiresAt: true, revokedAt: true, dashboard: { select: { workspaceId: true } } },
    });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= Date.now()) || row.dashboard.workspaceId !== row.workspaceId) throw shareNotFound();
    return { workspaceId: row.workspaceId, dashboardId: row.dashboardId, shareId: row.id };
  },

  /** The dashboard and branding a shared page shows. */
  async view({ db, share }: { db: Db; share: ResolvedShare }): Promise<SharedDashboard> {
    const row = await sharedRow({ db, share });
    const { workspace } = row;
    return {
      dashboard: { id: row.id, name: row.name, description: row.description, widgets: storedWidgets(row.widgets) },
      branding: { name: workspace.brandName || workspace.name, logo: workspace.brandLogo, accent: workspace.brandAccent },
    };
  },

  /** The origins that may frame the page of a token; none for a token that opens nothing. */
  async embedOriginsOf({ db, token, secret }: { db: Db; token: string; secret: string }): Promise<string[]> {
    try {
      const share = await dashboardShareService.resolve({ db, token, secret });
      return (await sharedRow({ db, share })).embedOrigins;
    } catch (err) {
      if (err instanceof ServiceError) return [];
      throw err;
    }
  },

  /** The series the shared dashboard shows, each with its latest point; no other series of the workspace. */
  async series({ db, share }: { db: Db; share: ResolvedShare }): Promise<SeriesSummary[]> {
    const shown = seriesOf(await sharedWidgets({ db, share }));
    if (shown.size === 0) return [];
    return (await seriesService.list({ db, workspaceId: share.workspaceId })).filter((s) => shown.has(s.series));
  },

  /** Points of series the shared dashboard shows; asking for any other series is answered as not found. */
  async points({ db, share, series, from, to, maxPoints }: { db: Db; share: ResolvedShare; series: string[]; from: Date; to: Date; maxPoints: number }): Promise<SeriesPoints[]> {
    const shown = seriesOf(await sharedWidgets({ db, share }));
    const other = series.find((name) => !shown.has(name));
    if (other !== undefined) throw new ServiceError({ code: "NOT_FOUND", message: `Series ${other} is not on this dashboard.` });
    return seriesService.points({ db, workspaceId: share.workspaceId, series, from, to, maxPoints });
  },

  /** What the shared page's live stream sends: the points of the dashboard's series, in its workspace. */
  async watched({ db, share }: { db: Db; share: ResolvedShare }): Promise<{ workspaceId: string; series: string[] }> {
    return { workspaceId: share.workspaceId, series: [...seriesOf(await sharedWidgets({ db, share }))] };
  },

  /** An experiment's results, for an A/B widget of the shared dashboard only. */
  async abResults({ db, share, flowId, experiment, confidence }: { db: Db; share: ResolvedShare; flowId: string; experiment: string; confidence: number }): Promise<ExperimentResult[]> {
    const widgets = await sharedWidgets({ db, share });
    if (!widgets.some((w) => w.kind === "abTest" && w.experiment?.flowId === flowId && w.experiment.name === experiment)) {
      throw new ServiceError({ code: "NOT_FOUND", message: `Experiment ${experiment} is not on this dashboard.` });
    }
    return abTestService.results({ db, workspaceId: share.workspaceId, flowId, experiment, confidence });
  },

  async branding({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<Branding> {
    const row = await db.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { brandName: true, brandLogo: true, brandAccent: true } });
    return { name: row.brandName, logo: row.brandLogo, accent: row.brandAccent };
  },

  /** Sets how the workspace's shared dashboards look; empty parts fall back to the workspace name and the app's colours. */
  async updateBranding({ db, userId, workspaceId, branding }: Scope & { branding: Branding }): Promise<Branding> {
    return db.$transaction(async (tx) => {
      const row = await tx.workspace.update({
        where: { id: workspaceId },
        data: { brandName: branding.name || null, brandLogo: branding.logo || null, brandAccent: branding.accent || null },
        select: { brandName: true, brandLogo: true, brandAccent: true },
      });
      await auditService.record({
        tx,
        entry: { workspaceId, actorId: userId, action: "workspace.branding.update", targetType: "workspace", targetId: workspaceId, data: { name: row.brandName, logo: row.brandLogo ? (row.brandLogo.startsWith("data:") ? "uploaded" : row.brandLogo) : null, accent: row.brandAccent } },
      });
      return { name: row.brandName, logo: row.brandLogo, accent: row.brandAccent };
    });
  },
};
