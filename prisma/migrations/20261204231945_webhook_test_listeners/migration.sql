-- "Listen for test event": a flow waits, for a short while, for one call to its test webhook URL
-- (/hooks-test/<workspace>/<path>), which runs its draft. One row per flow; nothing existing changes.

-- CreateTable
CREATE TABLE "WebhookTestListener" (
    "flowId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "calledAt" TIMESTAMP(3),
    "runId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookTestListener_pkey" PRIMARY KEY ("flowId")
);

-- CreateIndex
CREATE INDEX "WebhookTestListener_workspaceId_idx" ON "WebhookTestListener"("workspaceId");

-- AddForeignKey
ALTER TABLE "WebhookTestListener" ADD CONSTRAINT "WebhookTestListener_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;
