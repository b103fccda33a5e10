import { isRecord, portsOf } from "./data-view/data-model";

/** The voice trigger whose node panel offers hold-to-talk (it is what `POST /api/flows/<id>/voice` starts). */
export const VOICE_TRIGGER_TYPE = "voice.trigger";

export interface HeardCommand {
  text: string;
  intent: string | null;
  entities: Record<string, string>;
}

/** What a voice step heard and understood, from its stored output (`{ items: { out: [{ json }] } }`); null before. */
export function heardCommand(output: unknown): HeardCommand | null {
  const items = portsOf(output).ports.flatMap((p) => p.items);
  const json = isRecord(items[0]) && isRecord(items[0].json) ? items[0].json : null;
  if (!json || typeof json.text !== "string") return null;
  const entities = isRecord(json.entities) ? Object.fromEntries(Object.entries(json.entities).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
  return { text: json.text, intent: typeof json.intent === "string" ? json.intent : null, entities };
}
