import { currentUser } from "./auth/session";
import { secretBox, type SecretBox } from "./crypto";
import { getDb, type Db } from "./db";

export interface ContextUser {
  id: string;
  email: string;
  name: string | null;
}

/**
 * Builds a context from plain values, so tests can make one without a request. The secret box is a getter
 * so that procedures that never touch secrets do not need an encryption key.
 */
export function createContextInner({ db, user, secretBox }: { db: Db; user: ContextUser | null; secretBox: () => SecretBox }) {
  return { db, user, secretBox };
}

export type Context = ReturnType<typeof createContextInner>;

export async function createContext(): Promise<Context> {
  const [db, user] = await Promise.all([getDb(), currentUser()]);
  return createContextInner({ db, user, secretBox });
}
