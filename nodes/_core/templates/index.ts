import { canonicalJson } from "../canonical-json";
import abLandingPage from "./ab-landing-page.json";
import cryptoPriceWatch from "./crypto-price-watch.json";
import mqttTemperatureAlert from "./mqtt-temperature-alert.json";
import rssLlmDigest from "./rss-llm-digest.json";
import supportTicketTriage from "./support-ticket-triage.json";
import uploadToHls from "./upload-to-hls.json";
import voiceLights from "./voice-lights.json";
import weatherRainAlert from "./weather-rain-alert.json";

/**
 * The template gallery ("New from template"): flows built on our own nodes, each shipped as the export file a
 * person would get from `export` ({ name, document }, credentials referenced by name, never a secret) and created
 * through the same import path as any other file. What the gallery shows beyond the file (nodes, credentials)
 * is read from the document, so it cannot drift from what gets imported.
 */

export const TEMPLATE_CATEGORIES = ["Smart home", "Monitoring", "AI", "Web", "Media"] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** The part of an export file the gallery reads; the import path checks the whole of it. */
interface ExportFile {
  name: string;
  document: {
    // JSON imports type each node's absent slots as undefined.
    nodes: { type: string; name: string; credentials?: Record<string, { name: string } | undefined> }[];
  };
}

interface TemplateSource {
  id: string;
  description: string;
  category: TemplateCategory;
  file: ExportFile;
}

const sources: TemplateSource[] = [
  {
    id: "voice-lights",
    description: "Say \"turn on the kitchen lights\": the command is transcribed offline and the light's state is published over MQTT.",
    category: "Smart home",
    file: voiceLights,
  },
  {
    id: "mqtt-temperature-alert",
    description: "Listens to temperature sensors over MQTT and emails facilities when a room goes above 30 °C, once per room per quarter hour.",
    category: "Smart home",
    file: mqttTemperatureAlert,
  },
  {
    id: "weather-rain-alert",
    description: "Every morning, reads tomorrow's forecast from Open-Meteo and emails you when more than 2 mm of rain is expected.",
    category: "Monitoring",
    file: weatherRainAlert,
  },
  {
    id: "crypto-price-watch",
    description: "Checks Bitcoin and Ether on CoinGecko every 15 minutes and posts to Slack when one moved 3% or more in a day.",
    category: "Monitoring",
    file: cryptoPriceWatch,
  },
  {
    id: "rss-llm-digest",
    description: "Watches an RSS or Atom feed, has an LLM summarize the new entries in three sentences and posts the digest to Slack.",
    category: "AI",
    file: rssLlmDigest,
  },
  {
    id: "support-ticket-triage",
    description: "A webhook for support tickets: an LLM sorts each into a category, drafts a reply, and pages the team on Slack when it is urgent.",
    category: "AI",
    file: supportTicketTriage,
  },
  {
    id: "ab-landing-page",
    description: "A landing page served by a webhook with two headlines; each visitor keeps the variant first shown, and exposures are counted.",
    category: "Web",
    file: abLandingPage,
  },
  {
    id: "upload-to-hls",
    description: "Upload a video to a webhook and get back an HLS stream in 720p and 360p, transcoded by ffmpeg.",
    category: "Media",
    file: uploadToHls,
  },
];

export interface TemplateCredential {
  type: string;
  name: string;
}

export interface TemplateSummary {
  id: string;
  name: string;
  description: string;
  category: TemplateCategory;
  /** Node types in the order the flow lists them, each once. */
  nodeTypes: string[];
  nodeCount: number;
  /** The credentials the flow refers to, by type and the name it expects; created in the workspace separately. */
  credentials: TemplateCredential[];
}

function credentialsOf(file: ExportFile): TemplateCredential[] {
  const seen = new Map<string, TemplateCredential>();
  for (const node of file.document.nodes) {
    for (const [type, ref] of Object.entries(node.credentials ?? {})) if (ref) seen.set(`${type}\u0000${ref.name}`, { type, name: ref.name });
  }
  return [...seen.values()];
}

export const templates: TemplateSummary[] = sources.map(({ id, description, category, file }) => ({
  id,
  name: file.name,
  description,
  category,
  nodeTypes: [...new Set(file.document.nodes.map((node) => node.type))],
  nodeCount: file.document.nodes.length,
  credentials: credentialsOf(file),
}));

/**
 * A template's export file as text, in the canonical form its file is kept in (keys sorted, two-space indent,
 * final newline): what the import path reads, as if the file had been handed to `import`.
 */
export function templateText(id: string): string | null {
  const source = sources.find((s) => s.id === id);
  return source ? canonicalJson(source.file) : null;
}
