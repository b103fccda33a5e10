/*
  Warnings:

  - The primary key for the `Step` table will be changed. If it partially fails, the table could be left without primary key constraint.
  - You are about to drop the column `id` on the `Step` table. All the data in the column will be lost.

*/
-- DropIndex
DROP INDEX "Run_status_queuedAt_idx";

-- DropIndex
DROP INDEX "Step_runId_startedAt_idx";

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "document" JSONB,
ADD COLUMN     "parentRunId" TEXT,
ADD COLUMN     "startNodeId" TEXT;

-- AlterTable
ALTER TABLE "Step" DROP CONSTRAINT "Step_pkey",
DROP COLUMN "id",
ADD COLUMN     "nodeName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "outputRef" TEXT,
ADD CONSTRAINT "Step_pkey" PRIMARY KEY ("runId", "nodeId");

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
CREATE INDEX "Run_status_queuedAt_idx" ON "Run"("status", "queuedAt") WHERE ("finishedAt" IS NULL);

-- AddForeignKey
ALTER TABLE "WebhookRoute" ADD CONSTRAINT "WebhookRoute_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FlowState" ADD CONSTRAINT "FlowState_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;
