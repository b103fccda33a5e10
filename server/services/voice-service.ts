import type { BinaryRef, Item } from "../../nodes/_kit/items";
import { DEFAULT_MAX_AUDIO_BYTES } from "../../nodes/voice/voice-config";
import type { RunSpec } from "../../nodes/_core/run-types";
import type { Db } from "../db";
import { flowService } from "./flow-service";
import { runService } from "./run-service";
import { ServiceError } from "./service-error";

const flowNotFound = () => new ServiceError({ code: "NOT_FOUND", message: "Flow not found" });

export interface PreparedRecording {
  workspaceId: string;
  /** The run to start once the audio is stored: from the flow's voice command trigger when it has one. */
  spec: RunSpec;
  /** The largest recording the flow takes (its voice command trigger's upload limit). */
  maxBytes: number;
}

export const voiceService = {
  /**
   * Checks that the user may run the flow with a recording (an editor of its workspace) and what that run will be.
   * A flow of a workspace the user is not in is not found, exactly like a missing one.
   */
  async prepareRecording({ db, userId, flowId, source }: { db: Db; userId: string; flowId: string; source: "draft" | "active" }): Promise<PreparedRecording> {
    const workspaceId = await flowService.workspaceOf({ db, flowId });
    if (!workspaceId) throw flowNotFound();
    let spec: RunSpec;
    try {
      spec = await runService.prepareManual({ db, userId, workspaceId, flowId, source });
    } catch (err) {
      if (err instanceof ServiceError && err.code === "NOT_FOUND") throw flowNotFound();
      throw err;
    }
    return voiceService.recordingRun(spec);
  },

  /** A run made to take a recording: it starts from the flow's voice command trigger when it has one, and that trigger's upload limit holds. */
  recordingRun(spec: RunSpec): PreparedRecording {
    const trigger = spec.document.nodes.find((n) => n.type === "voice.trigger" && !n.disabled);
    const limit = trigger?.config.maxBodyBytes;
    return {
      workspaceId: spec.workspaceId,
      spec: trigger ? { ...spec, startNodeId: trigger.id } : spec,
      maxBytes: typeof limit === "number" && limit > 0 ? limit : DEFAULT_MAX_AUDIO_BYTES,
    };
  },

  /** The trigger item of a recorded run: where it came from (a member, or a shared dashboard), and the audio as binary property `audio`. */
  recordingItem({ audio, userId }: { audio: BinaryRef; userId?: string }): Item {
    return { json: { source: "browser", ...(userId && { userId }), mimeType: audio.mimeType, size: audio.size, receivedAt: new Date().toISOString() }, binary: { audio } };
  },
};
