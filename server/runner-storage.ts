import type { RunnerStorage } from "../runner/ports";
import { secretBox as defaultSecretBox, type SecretBox } from "./crypto";
import type { Db } from "./db";
import { experimentStore } from "./services/ab-test-service";
import { activationService } from "./services/activation-service";
import { openCredentialForRun } from "./services/credential-service";
import { flowStateStore } from "./services/flow-state-service";
import { Batcher } from "../nodes/_core/batcher";
import { runService, type ClaimedRow, type ClaimRequest, type StepStart } from "./services/run-service";
import { seriesService } from "./services/series-service";
import { RunStore } from "./services/run-store";
import { webhookTestService } from "./services/webhook-test-service";

/**
 * The runner's storage ports, implemented by the services on one database; built once by each entry point.
 * `secretBox` opens stored credentials (tests and benches bring their own key).
 */
export function runnerStorage({ db, secretBox = defaultSecretBox }: { db: Db; secretBox?: () => SecretBox }): RunnerStorage {
  const store = new RunStore(db);
  // Claims and step starts of the runs going at once on a worker go to the database together.
  const claims = new Batcher((requests: ClaimRequest[]) => runService.claimRows({ db, claims: requests }).then((rows) => answersFor(requests, rows)));
  const starts = new Batcher((steps: StepStart[]) => runService.startSteps({ db, steps }));
  return {
    journal: {
      saveRun: (row) => store.saveRun(row),
      saveStep: (row) => store.saveStep(row),
      addUsage: (entry) => store.addUsage(entry),
      drain: () => store.drain(),
      room: () => store.room(),
      claim: (args) => runService.claim({ db, ...args, claimRow: (request) => claims.add(request) }),
      startStep: (args) => starts.add(args),
      failAfterLosses: (args) => runService.failAfterLosses({ db, ...args }),
      versionDocument: ({ versionId }) => runService.versionDocument({ db, versionId }),
      release: (args) => runService.release({ db, ...args }),
      delete: ({ runId }) => runService.delete({ db, runId }),
    },
    runs: {
      status: ({ runId }) => runService.status({ db, runId }),
      markCancelled: ({ runId }) => runService.markCancelled({ db, runId }),
      orphans: (args) => runService.orphans({ db, ...args }),
      runningUnder: ({ workerId }) => runService.runningUnder({ db, workerId }),
      prune: (args) => runService.prune({ db, ...args }),
    },
    flows: {
      activeFlows: ({ flowId }) => activationService.activeFlows({ db, flowId }),
      activeVersionOf: ({ workspaceId, flowId }) => activationService.activeVersionOf({ db, workspaceId, flowId }),
    },
    credentials: { open: (args) => openCredentialForRun({ db, box: secretBox(), ...args }) },
    flowState: { of: ({ workspaceId, flowId }) => flowStateStore({ db, workspaceId, flowId }) },
    experiments: { of: ({ workspaceId, flowId }) => experimentStore({ db, workspaceId, flowId }) },
    series: {
      append: (points) => seriesService.append({ db, points }),
      prune: ({ batch }) => seriesService.prune({ db, batch }),
    },
    testWebhooks: {
      listening: (args) => webhookTestService.listening({ db, ...args }),
      take: ({ flowId }) => webhookTestService.take({ db, flowId }),
      started: (args) => webhookTestService.started({ db, ...args }),
    },
  };
}

/** Each request's row, or null for a run that was not taken. */
function answersFor(requests: ClaimRequest[], rows: ClaimedRow[]): (ClaimedRow | null)[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return requests.map((request) => byId.get(request.runId) ?? null);
}
