import type { FlowDocument } from "../nodes/_core/flow-document";

/**
 * What the runner needs from storage, declared here and implemented by the server's services (which may import
 * this file, as types only). Today it holds the shapes the runner's triggers work on; the calls themselves still
 * go to the services directly (see the known-violations list of the layer check).
 */

/** A flow whose active version's triggers run: schedules, listeners and webhooks are started from these. */
export interface ActiveFlow {
  flowId: string;
  workspaceId: string;
  /** Webhooks of the flow answer under it (a slug never changes). */
  workspaceSlug: string;
  versionId: string;
  document: FlowDocument;
}
