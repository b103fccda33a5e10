import { dashboardActionService } from "../services/dashboard-action-service";
import { dashboardService } from "../services/dashboard-service";
import { seriesService } from "../services/series-service";
import { router, workspaceProcedure } from "../trpc";
import { dashboardActInput, dashboardActResultInput, dashboardCreateInput, dashboardDeleteInput, dashboardGetInput, dashboardListInput, dashboardPointsInput, dashboardSeriesInput, dashboardUpdateInput } from "./dashboard.schema";

export const dashboardRouter = router({
  list: workspaceProcedure("workspace.read").input(dashboardListInput).query(({ ctx, input }) => dashboardService.list({ db: ctx.db, ...input })),
  get: workspaceProcedure("workspace.read").input(dashboardGetInput).query(({ ctx, input }) => dashboardService.get({ db: ctx.db, ...input })),
  create: workspaceProcedure("dashboard.edit").input(dashboardCreateInput).mutation(({ ctx, input }) => dashboardService.create({ db: ctx.db, userId: ctx.user.id, ...input })),
  update: workspaceProcedure("dashboard.edit").input(dashboardUpdateInput).mutation(({ ctx, input }) => dashboardService.update({ db: ctx.db, userId: ctx.user.id, ...input })),
  delete: workspaceProcedure("dashboard.edit").input(dashboardDeleteInput).mutation(({ ctx, input }) => dashboardService.delete({ db: ctx.db, userId: ctx.user.id, ...input })),
  /** The workspace's series, each with its latest point. */
  series: workspaceProcedure("workspace.read").input(dashboardSeriesInput).query(({ ctx, input }) => seriesService.list({ db: ctx.db, ...input })),
  /** Points of up to 20 series over a range, averaged into buckets beyond `maxPoints`. */
  points: workspaceProcedure("workspace.read")
    .input(dashboardPointsInput)
    .query(({ ctx, input }) => seriesService.points({ db: ctx.db, ...input, from: new Date(input.from), to: new Date(input.to) })),
  /**
   * Starts the flow of a control widget (button, form, switch, slider) with what was entered, as `run.start` does;
   * answers with the run's result once it finished, or after a bounded wait with it still going.
   */
  act: workspaceProcedure("run.control")
    .input(dashboardActInput)
    .mutation(({ ctx, input }) =>
      dashboardActionService.start({ db: ctx.db, runtime: ctx.runtime(), dashboardId: input.dashboardId, widgetId: input.widgetId, input: input.input, actor: { kind: "member", userId: ctx.user.id, workspaceId: input.workspaceId } }),
    ),
  /** How a run started by a hold-to-talk widget (through the flow's voice route) ended, after the same bounded wait. */
  actResult: workspaceProcedure("run.control")
    .input(dashboardActResultInput)
    .query(({ ctx, input }) => dashboardActionService.result({ db: ctx.db, runtime: ctx.runtime(), ...input })),
});
