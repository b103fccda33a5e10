-- CreateTable
CREATE TABLE "AbExperiment" (
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "variants" JSONB NOT NULL,
    "control" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AbExperiment_pkey" PRIMARY KEY ("flowId","name")
);

-- CreateTable
CREATE TABLE "AbVariantStat" (
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "experiment" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "exposures" BIGINT NOT NULL DEFAULT 0,
    "conversions" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "AbVariantStat_pkey" PRIMARY KEY ("flowId","experiment","variant")
);

-- CreateTable
CREATE TABLE "AbAssignment" (
    "workspaceId" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "experiment" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "variant" TEXT NOT NULL,
    "assignedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "convertedAt" TIMESTAMP(3),

    CONSTRAINT "AbAssignment_pkey" PRIMARY KEY ("flowId","experiment","key")
);

-- AddForeignKey
ALTER TABLE "AbExperiment" ADD CONSTRAINT "AbExperiment_flowId_fkey" FOREIGN KEY ("flowId") REFERENCES "Flow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbVariantStat" ADD CONSTRAINT "AbVariantStat_flowId_experiment_fkey" FOREIGN KEY ("flowId", "experiment") REFERENCES "AbExperiment"("flowId", "name") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AbAssignment" ADD CONSTRAINT "AbAssignment_flowId_experiment_fkey" FOREIGN KEY ("flowId", "experiment") REFERENCES "AbExperiment"("flowId", "name") ON DELETE CASCADE ON UPDATE CASCADE;
