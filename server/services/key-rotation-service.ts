import type { SecretBox } from "../crypto/secret-box";
import type { Db } from "../db";

export interface RotationReport {
  /** Secrets sealed anew with the current key. */
  rotated: { credentials: number; ssoSecrets: number };
  /** Secrets the current key had sealed already. */
  current: { credentials: number; ssoSecrets: number };
}

/**
 * Seals every stored secret (credentials, workspaces' OIDC client secrets) with the current encryption key, in one
 * transaction: afterwards STREAMWARE_PREVIOUS_ENCRYPTION_KEYS can be emptied. A secret no configured key opens
 * stops the rotation with its message, and nothing changes.
 */
export const keyRotationService = {
  async rotate({ db, box }: { db: Db; box: SecretBox }): Promise<RotationReport> {
    return db.$transaction(
      async (tx) => {
        const report: RotationReport = { rotated: { credentials: 0, ssoSecrets: 0 }, current: { credentials: 0, ssoSecrets: 0 } };
        const credentials = await tx.credential.findMany({ select: { id: true, workspaceId: true, ciphertext: true, updatedAt: true } });
        for (const row of credentials) {
          if (box.sealedWithCurrentKey(row.ciphertext)) {
            report.current.credentials++;
            continue;
          }
          const plaintext = box.open({ sealed: row.ciphertext, context: row.workspaceId });
          // The same secret, sealed anew: its credential is not changed as a person would see it.
          await tx.credential.update({ where: { id: row.id }, data: { ciphertext: box.seal({ plaintext, context: row.workspaceId }), updatedAt: row.updatedAt } });
          report.rotated.credentials++;
        }
        const connections = await tx.ssoConnection.findMany({ where: { oidcClientSecret: { not: null } }, select: { id: true, workspaceId: true, oidcClientSecret: true } });
        for (const row of connections) {
          if (box.sealedWithCurrentKey(row.oidcClientSecret!)) {
            report.current.ssoSecrets++;
            continue;
          }
          const plaintext = box.open({ sealed: row.oidcClientSecret!, context: row.workspaceId });
          await tx.ssoConnection.update({ where: { id: row.id }, data: { oidcClientSecret: box.seal({ plaintext, context: row.workspaceId }) } });
          report.rotated.ssoSecrets++;
        }
        return report;
      },
      { timeout: 600_000 },
    );
  },
};
