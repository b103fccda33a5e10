"use client";

import { useMemo } from "react";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useTRPC, useTRPCClient } from "@/app/_components/trpc-provider";
import type { SeriesPoints } from "@/nodes/_core/dashboard";
import type { AppRouter } from "@/server/routers/_app";
import type { ExperimentResult } from "../../experiments/variant-results";
import type { DashboardSource } from "./dashboard-source";

type SeriesList = inferRouterOutputs<AppRouter>["dashboard"]["series"];
/** A points read, as `dashboard.points` takes it. */
export type PointsInput = inferRouterInputs<AppRouter>["dashboard"]["points"];

/** One read as react-query takes it, the same for both sources. */
interface Read<T> {
  queryKey: readonly unknown[];
  queryFn: (context: { signal: AbortSignal }) => Promise<T>;
  placeholderData?: (previous: T | undefined) => T | undefined;
  refetchInterval?: number;
}

/** What a dashboard's widgets read, wherever the dashboard is shown. */
export interface DashboardReads {
  points: (input: PointsInput) => Read<SeriesPoints[]>;
  /** The key of one points read, or (without input) the prefix of them all. */
  pointsKey: (input?: PointsInput) => readonly unknown[];
  series: () => Read<SeriesList>;
  /** The dashboard's live points, as server-sent events. */
  liveUrl: string;
  abResults: (experiment: { flowId: string; name: string }) => Read<ExperimentResult[]>;
  /** The member's workspace; null on a shared page, whose routes know their workspace from the link. */
  workspaceId: string | null;
}

/** A share route's JSON, or its `{ error }` as the query's error. */
async function sharedRead<T>(path: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal, cache: "no-store" });
  const body = (await response.json().catch(() => null)) as { error?: string } | null;
  if (!response.ok) throw new Error(body?.error ?? `The shared dashboard answered ${response.status}; reload the page.`);
  return body as T;
}

const sharePath = (token: string, rest: string) => `/api/share/${encodeURIComponent(token)}/${rest}`;
const keepPrevious = <T,>(previous: T | undefined) => previous;
const AB_REFRESH_MS = 15_000;

/**
 * The queries a dashboard's widgets read through, for either source: a member's tRPC procedures, or a share
 * link's routes. Same data, same shapes; only where it comes from differs.
 */
export function useDashboardReads(source: DashboardSource): DashboardReads {
  const trpc = useTRPC();
  const client = useTRPCClient();
  // Built from the source's values, not its object, so that a source made anew each render reads the same.
  const { via, dashboardId } = source;
  const scope = source.via === "member" ? source.workspaceId : source.token;
  return useMemo((): DashboardReads => {
    if (via === "member") {
      const workspaceId = scope;
      return {
        points: (input) => ({ queryKey: trpc.dashboard.points.queryKey(input), queryFn: ({ signal }) => client.dashboard.points.query(input, { signal }), placeholderData: keepPrevious }),
        pointsKey: (input) => (input ? trpc.dashboard.points.queryKey(input) : trpc.dashboard.points.queryKey()),
        series: () => ({ queryKey: trpc.dashboard.series.queryKey({ workspaceId }), queryFn: ({ signal }) => client.dashboard.series.query({ workspaceId }, { signal }) }),
        liveUrl: `/api/dashboards/${encodeURIComponent(dashboardId)}/live`,
        abResults: (experiment) => {
          const input = { workspaceId, flowId: experiment.flowId, experiment: experiment.name };
          return { queryKey: trpc.abTest.results.queryKey(input), queryFn: ({ signal }) => client.abTest.results.query(input, { signal }), refetchInterval: AB_REFRESH_MS, placeholderData: keepPrevious };
        },
        workspaceId,
      };
    }
    const token = scope;
    const base = ["share", token] as const;
    const pointsKey = (input?: PointsInput) => (input ? [...base, "points", input] : [...base, "points"]);
    return {
      points: (input) => ({
        queryKey: pointsKey(input),
        queryFn: ({ signal }) => {
          const query = new URLSearchParams({ from: input.from, to: input.to, maxPoints: String(input.maxPoints ?? 500) });
          for (const name of input.series) query.append("series", name);
          return sharedRead(sharePath(token, `points?${query}`), signal);
        },
        placeholderData: keepPrevious,
      }),
      pointsKey,
      series: () => ({ queryKey: [...base, "series"], queryFn: ({ signal }) => sharedRead(sharePath(token, "series"), signal) }),
      liveUrl: sharePath(token, "live"),
      abResults: (experiment) => ({
        queryKey: [...base, "ab-results", experiment.flowId, experiment.name],
        queryFn: ({ signal }) => sharedRead(sharePath(token, `ab-results?${new URLSearchParams({ flowId: experiment.flowId, experiment: experiment.name })}`), signal),
        refetchInterval: AB_REFRESH_MS,
        placeholderData: keepPrevious,
      }),
      workspaceId: null,
    };
  }, [via, scope, dashboardId, trpc, client]);
}
