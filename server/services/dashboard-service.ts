import type { Db } from "../db";
import type { Prisma } from "../db/generated/client";
import { widget, type Widget } from "../../nodes/_core/dashboard";
import { auditService } from "./audit-service";
import { ServiceError } from "./service-error";
import { workspaceService } from "./workspace-service";

/** A workspace the caller is already known to act in at the needed role (the router's `workspaceProcedure`). */
interface Scope {
  db: Db;
  userId: string;
  workspaceId: string;
}

export interface DashboardSummary {
  id: string;
  name: string;
  description: string | null;
  widgetCount: number;
  updatedAt: Date;
}

export interface DashboardView {
  id: string;
  name: string;
  description: string | null;
  widgets: Widget[];
  updatedAt: Date;
}

const viewSelect = { id: true, name: true, description: true, widgets: true, updatedAt: true } as const;

const notFound = () => new ServiceError({ code: "NOT_FOUND", message: "Dashboard not found" });

/**
 * Widgets as stored were checked when saved; one that no longer reads (a kind since removed) is left out rather
 * than breaking the whole dashboard.
 */
function storedWidgets(value: Prisma.JsonValue): Widget[] {
  return (Array.isArray(value) ? value : []).flatMap((item) => {
    const one = widget.safeParse(item);
    return one.success ? [one.data] : [];
  });
}

function toView(row: { id: string; name: string; description: string | null; widgets: Prisma.JsonValue; updatedAt: Date }): DashboardView {
  return { id: row.id, name: row.name, description: row.description, widgets: storedWidgets(row.widgets), updatedAt: row.updatedAt };
}

export const dashboardService = {
  async list({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<DashboardSummary[]> {
    const rows = await db.dashboard.findMany({ where: { workspaceId }, select: viewSelect, orderBy: [{ name: "asc" }, { id: "asc" }] });
    return rows.map((row) => ({ id: row.id, name: row.name, description: row.description, widgetCount: Array.isArray(row.widgets) ? row.widgets.length : 0, updatedAt: row.updatedAt }));
  },

  /** Another workspace's dashboard is not found, like a missing one. */
  async get({ db, workspaceId, dashboardId }: { db: Db; workspaceId: string; dashboardId: string }): Promise<DashboardView> {
    const row = await db.dashboard.findFirst({ where: { id: dashboardId, workspaceId }, select: viewSelect });
    if (!row) throw notFound();
    return toView(row);
  },

  /**
   * What a live view of the dashboard listens to, for a person who may read its workspace: its workspace and the
   * series its widgets show. A dashboard they may not read is not found, like a missing one.
   */
  async watched({ db, userId, dashboardId }: { db: Db; userId: string; dashboardId: string }): Promise<{ workspaceId: string; series: string[] }> {
    const row = await db.dashboard.findUnique({ where: { id: dashboardId }, select: { workspaceId: true, widgets: true } });
    if (!row) throw notFound();
    try {
      await workspaceService.requireRole({ db, userId, workspaceId: row.workspaceId, permission: "workspace.read" });
    } catch (err) {
      if (err instanceof ServiceError) throw notFound();
      throw err;
    }
    return { workspaceId: row.workspaceId, series: [...new Set(storedWidgets(row.widgets).flatMap((w) => w.series))] };
  },

  async create({ db, userId, workspaceId, name, description, widgets = [] }: Scope & { name: string; description?: string; widgets?: Widget[] }): Promise<{ id: string }> {
    return db.$transaction(async (tx) => {
      const row = await tx.dashboard.create({
        data: { workspaceId, name, description: description || null, widgets: widgets as Prisma.InputJsonValue, createdById: userId },
        select: { id: true },
      });
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "dashboard.create", targetType: "dashboard", targetId: row.id, data: { name } } });
      return row;
    });
  },

  /** Changes what is given; widgets given replace the dashboard's widgets. */
  async update({
    db,
    userId,
    workspaceId,
    dashboardId,
    name,
    description,
    widgets,
  }: Scope & { dashboardId: string; name?: string; description?: string | null; widgets?: Widget[] }): Promise<DashboardView> {
    return db.$transaction(async (tx) => {
      const changed = await tx.dashboard.updateMany({
        where: { id: dashboardId, workspaceId },
        data: {
          ...(name !== undefined && { name }),
          ...(description !== undefined && { description: description || null }),
          ...(widgets !== undefined && { widgets: widgets as Prisma.InputJsonValue }),
        },
      });
      if (changed.count === 0) throw notFound();
      await auditService.record({
        tx,
        entry: {
          workspaceId,
          actorId: userId,
          action: "dashboard.update",
          targetType: "dashboard",
          targetId: dashboardId,
          data: { ...(name !== undefined && { name }), ...(widgets !== undefined && { widgets: widgets.length }) },
        },
      });
      const row = await tx.dashboard.findFirstOrThrow({ where: { id: dashboardId, workspaceId }, select: viewSelect });
      return toView(row);
    });
  },

  async delete({ db, userId, workspaceId, dashboardId }: Scope & { dashboardId: string }): Promise<{ id: string }> {
    return db.$transaction(async (tx) => {
      const deleted = await tx.dashboard.deleteMany({ where: { id: dashboardId, workspaceId } });
      if (deleted.count === 0) throw notFound();
      await auditService.record({ tx, entry: { workspaceId, actorId: userId, action: "dashboard.delete", targetType: "dashboard", targetId: dashboardId } });
      return { id: dashboardId };
    });
  },
};
