-- AlterTable
ALTER TABLE "Flow" ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];
