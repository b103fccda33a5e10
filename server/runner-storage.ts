import type { RunnerStorage } from "../runner/ports";
import type { Db } from "./db";
import { activationService } from "./services/activation-service";
import { runService } from "./services/run-service";

/** The runner's storage ports, implemented by the services on one database; built once by each entry point. */
export function runnerStorage(db: Db): RunnerStorage {
  return {
    runs: {
      status: ({ runId }) => runService.status({ db, runId }),
      markCancelled: ({ runId }) => runService.markCancelled({ db, runId }),
      orphans: (args) => runService.orphans({ db, ...args }),
      prune: (args) => runService.prune({ db, ...args }),
    },
    flows: { activeFlows: ({ flowId }) => activationService.activeFlows({ db, flowId }) },
  };
}
