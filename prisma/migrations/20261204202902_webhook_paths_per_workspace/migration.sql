-- Webhook paths are unique per workspace, answered at /hooks/<workspace slug>/<path>. Every existing route was
-- unique across all workspaces, so each stays valid, its flow stays active and it answers at its workspace's URL;
-- the old /hooks/<path> answers 404 saying how webhook URLs are formed.

-- DropIndex
DROP INDEX "WebhookRoute_path_key";

-- CreateIndex
CREATE UNIQUE INDEX "WebhookRoute_workspaceId_path_key" ON "WebhookRoute"("workspaceId", "path");
