import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { onFirstUse } from "../_core/on-first-use";
import type { HttpClient } from "../_kit/context";
import { NodeCancelledError, NodeConfigError, NodeError, NodeExternalError } from "../_kit/errors";
import { runTool } from "./audio";
import { jsgfGrammar, normalizeText, type IntentSpec, type SlotSpec } from "./patterns";

/** Debian's pocketsphinx-en-us; POCKETSPHINX_MODEL_DIR points elsewhere (same layout: en-us/, the .dict, the .lm.bin). */
const DEFAULT_MODEL_DIR = "/usr/share/pocketsphinx/model/en-us";

export function offlineModel() {
  const dir = process.env.POCKETSPHINX_MODEL_DIR ?? DEFAULT_MODEL_DIR;
  return { hmm: path.join(dir, "en-us"), dict: path.join(dir, "cmudict-en-us.dict"), lm: path.join(dir, "en-us.lm.bin") };
}

export interface Transcript {
  text: string;
  /** 0–1; null when the provider does not say. */
  confidence: number | null;
  language: string | null;
}

let dictionary: { file: string; words: Promise<Set<string>> } | null = null;

/** The recognizer's pronunciation dictionary: a grammar word it lacks makes pocketsphinx fail. */
function dictionaryWords(file: string): Promise<Set<string>> {
  if (dictionary?.file !== file) {
    const words = readFile(file, "utf8").then(
      (text) => new Set(text.split("\n").map((line) => line.slice(0, line.indexOf(" ")).replace(/\(\d+\)$/, ""))),
    );
    words.catch(() => {
      dictionary = null;
    });
    dictionary = { file, words };
  }
  return dictionary.words;
}

async function checkWords(words: Iterable<string>, dictFile: string): Promise<void> {
  let known: Set<string>;
  try {
    known = await dictionaryWords(dictFile);
  } catch {
    throw new NodeError(`The offline recognizer's English model is not installed (${dictFile} is missing); install pocketsphinx-en-us or use the Whisper provider`, { code: "MISSING_TOOL", retryable: false });
  }
  const unknown = [...words].filter((w) => !known.has(w));
  if (unknown.length === 0) return;
  const digits = unknown.some((w) => /\d/.test(w)) ? " Write numbers as words (\"five\", not \"5\")." : "";
  throw new NodeConfigError(`The offline recognizer's English dictionary does not know ${unknown.map((w) => `"${w}"`).join(", ")}; reword the patterns, slot values or keywords, or use the Whisper provider.${digits}`);
}

/** A grammar that hears the listed phrases in any order, for keyword spotting. */
function keywordGrammar(keywords: string[]): { grammar: string; words: Set<string> } {
  const phrases = [...new Set(keywords.map(normalizeText).filter(Boolean))];
  if (phrases.length === 0) throw new NodeConfigError("Keyword spotting needs at least one keyword");
  const words = new Set(phrases.flatMap((p) => p.split(" ")));
  return { grammar: ["#JSGF V1.0;", "grammar keywords;", `public <keywords> = ( ${phrases.join(" | ")} )*;`, ""].join("\n"), words };
}

export type OfflineMode = "grammar" | "keywords" | "open";

/**
 * Transcribes a 16 kHz mono WAV with pocketsphinx, offline. With a grammar it can only hear the declared
 * commands (and hears them well); keywords hears only the listed phrases; open uses the general English model.
 */
export async function transcribeOffline({
  wav,
  workDir,
  mode,
  intents,
  slots,
  keywords,
  signal,
}: {
  wav: string;
  workDir: string;
  mode: OfflineMode;
  intents: IntentSpec[];
  slots: SlotSpec[];
  keywords: string[];
  signal: AbortSignal;
}): Promise<Transcript> {
  const model = offlineModel();
  const args = ["-infile", wav, "-hmm", model.hmm, "-dict", model.dict, "-time", "yes"];
  if (mode === "open") {
    args.push("-lm", model.lm);
  } else {
    let built: { grammar: string; words: Set<string> };
    try {
      built = mode === "grammar" ? jsgfGrammar(intents, slots) : keywordGrammar(keywords);
    } catch (err) {
      if (err instanceof NodeError) throw err;
      throw new NodeConfigError(`The command grammar cannot be built: ${(err as Error).message}`);
    }
    await checkWords(built.words, model.dict);
    const grammarFile = path.join(workDir, "commands.gram");
    await writeFile(grammarFile, built.grammar);
    args.push("-jsgf", grammarFile);
  }
  const result = await runTool({ command: "pocketsphinx_continuous", args, signal });
  if (signal.aborted) throw new NodeCancelledError();
  const failure = result.stderr.split("\n").find((line) => line.startsWith("ERROR:") || line.startsWith("FATAL"));
  if (result.code !== 0 || (failure && !result.stdout.length)) {
    throw new NodeError(`The offline recognizer failed: ${failure ?? `exit ${result.code}`}`, { code: "RECOGNIZER", retryable: false });
  }
  return parsePocketsphinx(result.stdout.toString("utf8"));
}

const WORD_TIME = /^(\S+) (\d+\.\d+) (\d+\.\d+) (\d+(?:\.\d+)?)$/;
const FILLERS = new Set(["<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]"]);

/** `-time yes` prints each utterance's hypothesis, then one line per word: word, start, end, posterior. */
export function parsePocketsphinx(output: string): Transcript {
  const hypotheses: string[] = [];
  const probabilities: number[] = [];
  for (const line of output.split("\n").map((l) => l.trim())) {
    if (!line) continue;
    const word = WORD_TIME.exec(line);
    if (word) {
      if (!FILLERS.has(word[1]!)) probabilities.push(Number(word[4]));
    } else hypotheses.push(line);
  }
  const text = hypotheses.join(" ").replace(/\s+/g, " ").trim();
  const confidence = probabilities.length ? Math.round((probabilities.reduce((a, b) => a + b, 0) / probabilities.length) * 1000) / 1000 : null;
  return { text, confidence: text ? confidence : null, language: "en" };
}

// The OpenAI SDK is loaded by the first transcription that needs it.
const openaiSdk = onFirstUse(() => import("openai"));

/** Sends the WAV to an OpenAI-compatible /audio/transcriptions endpoint through the official SDK. */
export async function transcribeWhisper({
  wav,
  apiKey,
  baseUrl,
  model,
  language,
  prompt,
  http,
  signal,
}: {
  wav: string;
  apiKey: string;
  baseUrl?: string;
  model: string;
  language?: string;
  prompt?: string;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<Transcript> {
  const { default: OpenAI, toFile } = await openaiSdk.get();
  const client = new OpenAI({ apiKey, baseURL: baseUrl, fetch: http.fetch, maxRetries: 0 });
  try {
    const file = await toFile(await readFile(wav), "audio.wav", { type: "audio/wav" });
    const result = await client.audio.transcriptions.create(
      { file, model, response_format: "verbose_json", ...(language ? { language } : {}), ...(prompt ? { prompt } : {}) },
      { signal },
    );
    const segments = result.segments ?? [];
    // A segment's average log-probability per token, as a probability, weighted by the segment's length.
    let weighted = 0;
    let total = 0;
    for (const s of segments) {
      const length = Math.max(0.01, s.end - s.start);
      weighted += Math.exp(s.avg_logprob) * length;
      total += length;
    }
    return {
      text: result.text.trim(),
      confidence: total > 0 ? Math.round((weighted / total) * 1000) / 1000 : null,
      language: result.language ?? language ?? null,
    };
  } catch (err) {
    if (signal.aborted) throw new NodeCancelledError();
    if (err instanceof OpenAI.APIError && err.status !== undefined) {
      const where = baseUrl ?? "api.openai.com";
      if (err.status === 401 || err.status === 403) {
        throw new NodeConfigError(`The transcription service at ${where} refused the API key (${err.status}); check the openai.api credential`, { cause: err });
      }
      throw new NodeExternalError(`The transcription service at ${where} answered ${err.status}: ${err.message}`, {
        status: err.status,
        retryable: err.status === 429 || err.status >= 500,
        details: { body: err.error as Record<string, unknown> | undefined },
        cause: err,
      });
    }
    if (err instanceof NodeError) throw err;
    throw new NodeExternalError(`Could not reach the transcription service at ${baseUrl ?? "api.openai.com"}: ${(err as Error).message}`, { cause: err });
  }
}
