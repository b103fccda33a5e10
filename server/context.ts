import { currentUser, type ContextUser } from "./auth/session";
import { secretBox } from "./crypto";
import { getDb } from "./db";
import { createContextInner, type Context } from "./context-inner";

export type { ContextUser, Context };
export { createContextInner };

export async function createContext(): Promise<Context> {
  const [db, user] = await Promise.all([getDb(), currentUser()]);
  return createContextInner({ db, user, secretBox });
}
