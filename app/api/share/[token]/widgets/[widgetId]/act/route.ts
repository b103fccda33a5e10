import { getDb } from "@/server/db";
import { currentRuntime } from "@/server/runtime-handover";
import { shareActLimiter } from "@/server/share-settings";
import { shareAnswers } from "../../../share-answers";
import { sharedRequest } from "../../../shared-request";

export const dynamic = "force-dynamic";

export async function POST(request: Request, { params }: { params: Promise<{ token: string; widgetId: string }> }) {
  const { token, widgetId } = await params;
  return sharedRequest({ db: await getDb(), request, token, limiter: shareActLimiter(currentRuntime()), answer: shareAnswers.act({ widgetId }) });
}
