-- CreateTable
CREATE TABLE "SamlRequest" (
    "id" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "relayState" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "callbackUrl" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SamlRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SamlAssertionUse" (
    "connectionId" TEXT NOT NULL,
    "assertionId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SamlAssertionUse_pkey" PRIMARY KEY ("connectionId","assertionId")
);

-- CreateTable
CREATE TABLE "SamlTicket" (
    "tokenHash" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "emailVerified" BOOLEAN NOT NULL,
    "name" TEXT,
    "callbackUrl" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SamlTicket_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "SamlRequest_connectionId_idx" ON "SamlRequest"("connectionId");

-- CreateIndex
CREATE INDEX "SamlRequest_expiresAt_idx" ON "SamlRequest"("expiresAt");

-- CreateIndex
CREATE INDEX "SamlAssertionUse_expiresAt_idx" ON "SamlAssertionUse"("expiresAt");

-- CreateIndex
CREATE INDEX "SamlTicket_connectionId_idx" ON "SamlTicket"("connectionId");

-- CreateIndex
CREATE INDEX "SamlTicket_expiresAt_idx" ON "SamlTicket"("expiresAt");

-- AddForeignKey
ALTER TABLE "SamlRequest" ADD CONSTRAINT "SamlRequest_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "SsoConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SamlAssertionUse" ADD CONSTRAINT "SamlAssertionUse_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "SsoConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SamlTicket" ADD CONSTRAINT "SamlTicket_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "SsoConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;
