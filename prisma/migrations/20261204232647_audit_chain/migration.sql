-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "actorKind" TEXT NOT NULL DEFAULT 'user',
ADD COLUMN     "chain" TEXT,
ADD COLUMN     "hash" TEXT,
ADD COLUMN     "ip" TEXT,
ADD COLUMN     "prevHash" TEXT,
ADD COLUMN     "seq" INTEGER,
ADD COLUMN     "userAgent" TEXT;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "auditRetentionDays" INTEGER NOT NULL DEFAULT 365;

-- CreateTable
CREATE TABLE "AuditChain" (
    "chain" TEXT NOT NULL,
    "headSeq" INTEGER NOT NULL DEFAULT 0,
    "headHash" TEXT NOT NULL DEFAULT '',
    "prunedSeq" INTEGER NOT NULL DEFAULT 0,
    "prunedHash" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "AuditChain_pkey" PRIMARY KEY ("chain")
);

-- Events written before the chain existed keep their order as sequence numbers and carry no hashes; each chain
-- starts after them (its pruned point), so `audit verify` covers every event written from here on.
UPDATE "AuditEvent" e SET
  "chain" = numbered."chain",
  "seq" = numbered."seq",
  "prevHash" = '',
  "hash" = 'before-chain'
FROM (
  SELECT "id", COALESCE("workspaceId", 'instance') AS "chain",
         (row_number() OVER (PARTITION BY COALESCE("workspaceId", 'instance') ORDER BY "createdAt", "id"))::int AS "seq"
  FROM "AuditEvent"
) numbered
WHERE numbered."id" = e."id";

INSERT INTO "AuditChain" ("chain", "headSeq", "headHash", "prunedSeq", "prunedHash")
SELECT "chain", max("seq"), 'before-chain', max("seq"), 'before-chain' FROM "AuditEvent" GROUP BY "chain";

ALTER TABLE "AuditEvent" ALTER COLUMN "chain" SET NOT NULL,
ALTER COLUMN "hash" SET NOT NULL,
ALTER COLUMN "prevHash" SET NOT NULL,
ALTER COLUMN "seq" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_chain_seq_key" ON "AuditEvent"("chain", "seq");
