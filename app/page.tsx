import { redirect } from "next/navigation";
import { requireUser } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { workspaceService } from "@/server/services/workspace-service";

export const dynamic = "force-dynamic";

export default async function Home() {
  const user = await requireUser("/");
  const [first] = await workspaceService.listForUser({ db: await getDb(), userId: user.id });
  // Every user gets a personal workspace at first sign-in, so this only fails if it was removed.
  if (!first) redirect("/signin?error=NoWorkspace");
  redirect(`/w/${first.slug}`);
}
