import type { Db } from "../db";
import { ServiceError } from "./service-error";

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  calls: number;
}

export interface UsageSummary {
  /** The days counted, inclusive, as YYYY-MM-DD (UTC). */
  from: string;
  to: string;
  total: UsageTotals;
  byModel: (UsageTotals & { provider: string; model: string })[];
  byDay: (UsageTotals & { day: string })[];
  /** Each model's tokens on each day it was used, by day, then provider and model. */
  byDayAndModel: (UsageTotals & { day: string; provider: string; model: string })[];
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

function add(into: UsageTotals, row: { promptTokens: bigint; completionTokens: bigint; calls: number }): void {
  into.promptTokens += Number(row.promptTokens);
  into.completionTokens += Number(row.completionTokens);
  into.totalTokens += Number(row.promptTokens) + Number(row.completionTokens);
  into.calls += row.calls;
}

const empty = (): UsageTotals => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0, calls: 0 });

export const usageService = {
  /**
   * Tokens the workspace's model calls used between two days (UTC, inclusive; the last 30 days by default), in
   * all, per provider and model, and per day. Kept apart from runs, so it counts runs since deleted too.
   */
  async summary({ db, workspaceId, from, to }: { db: Db; workspaceId: string; from?: string; to?: string }): Promise<UsageSummary> {
    const toDay = to ? new Date(`${to}T00:00:00Z`) : new Date(`${dayOf(new Date())}T00:00:00Z`);
    const fromDay = from ? new Date(`${from}T00:00:00Z`) : new Date(toDay.getTime() - (DEFAULT_DAYS - 1) * DAY_MS);
    if (fromDay > toDay) throw new ServiceError({ code: "BAD_REQUEST", message: `"from" (${dayOf(fromDay)}) is after "to" (${dayOf(toDay)}); swap them` });
    if ((toDay.getTime() - fromDay.getTime()) / DAY_MS >= MAX_DAYS) {
      throw new ServiceError({ code: "BAD_REQUEST", message: `Ask for at most ${MAX_DAYS} days at a time (from ${dayOf(fromDay)} to ${dayOf(toDay)} is more)` });
    }
    const rows = await db.tokenUsage.findMany({
      where: { workspaceId, day: { gte: fromDay, lte: toDay } },
      select: { day: true, provider: true, model: true, promptTokens: true, completionTokens: true, calls: true },
      orderBy: [{ day: "asc" }, { provider: "asc" }, { model: "asc" }],
    });
    const total = empty();
    const byModel = new Map<string, UsageTotals & { provider: string; model: string }>();
    const byDay = new Map<string, UsageTotals & { day: string }>();
    for (const row of rows) {
      add(total, row);
      const modelKey = `${row.provider}\u0000${row.model}`;
      if (!byModel.has(modelKey)) byModel.set(modelKey, { provider: row.provider, model: row.model, ...empty() });
      add(byModel.get(modelKey)!, row);
      const day = dayOf(row.day);
      if (!byDay.has(day)) byDay.set(day, { day, ...empty() });
      add(byDay.get(day)!, row);
    }
    return {
      from: dayOf(fromDay),
      to: dayOf(toDay),
      total,
      byModel: [...byModel.values()].sort((a, b) => b.totalTokens - a.totalTokens),
      byDay: [...byDay.values()],
      byDayAndModel: rows.map((row) => {
        const totals = empty();
        add(totals, row);
        return { day: dayOf(row.day), provider: row.provider, model: row.model, ...totals };
      }),
    };
  },
};
