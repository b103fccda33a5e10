import type { Db } from "../db";

/**
 * Everything stored about one flow and one credential, as comparable JSON: a refused call must leave it exactly
 * as it was.
 */
export async function storedState({ db, flowId, credentialId }: { db: Db; flowId: string; credentialId?: string }): Promise<string> {
  const [flow, versions, routes, credential] = await Promise.all([
    db.flow.findUnique({ where: { id: flowId }, select: { name: true, draft: true, activeVersionId: true, updatedAt: true } }),
    db.flowVersion.findMany({ where: { flowId }, select: { id: true, number: true, document: true, message: true }, orderBy: { number: "asc" } }),
    db.webhookRoute.findMany({ where: { flowId }, select: { path: true, nodeId: true, methods: true }, orderBy: { path: "asc" } }),
    credentialId ? db.credential.findUnique({ where: { id: credentialId }, select: { name: true, type: true, ciphertext: true, updatedAt: true } }) : null,
  ]);
  return JSON.stringify({ flow, versions, routes, credential });
}
