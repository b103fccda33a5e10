/*
  Warnings:

  - A unique constraint covering the columns `[runId,nodeId]` on the table `Step` will be added. If there are existing duplicate values, this will fail.

*/
-- DropIndex
DROP INDEX "Step_runId_startedAt_idx";

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "document" JSONB,
ADD COLUMN     "parentRunId" TEXT,
ADD COLUMN     "startNodeId" TEXT;

-- AlterTable
ALTER TABLE "Step" ADD COLUMN     "nodeName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "outputRef" TEXT;

-- CreateTable
CREATE TABLE "WebhookRoute" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "methods" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FlowState" (
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowState_pkey" PRIMARY KEY ("flowId","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookRoute_path_key" ON "WebhookRoute"("path");

-- CreateIndex
CREATE INDEX "WebhookRoute_flowId_idx" ON "WebhookRoute"("flowId");

-- CreateIndex
CREATE UNIQUE INDEX "Step_runId_nodeId_key" ON "Step"("runId", "nodeId");

-- AddForeignKey
ALTER TABLE "WebhookRoute" ADD CONSTRAINT "WebhookRoute_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowState" ADD CONSTRAINT "FlowState_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;
