import { shareAnswers } from "../share-answers";
import { shareRoute } from "../shared-request";

export const dynamic = "force-dynamic";

export const GET = shareRoute(shareAnswers.series);
