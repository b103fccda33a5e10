-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "workerLosses" INTEGER NOT NULL DEFAULT 0;
