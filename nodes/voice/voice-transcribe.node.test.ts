import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import busboy from "busboy";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalBinaryStore } from "../../runner/binary-store";
import { closeTestServers, startTestServer } from "../_kit/test-http-server";
import { NodeCancelledError, NodeConfigError, NodeError } from "../_kit/errors";
import type { Item } from "../_kit/items";
import { runNode, TEST_WORKSPACE_ID } from "../../runner/node-testing";
import { startOpenAIServer } from "../llm/test-servers";
import { voiceTranscribeNode } from "./voice-transcribe.node";

const dir = mkdtempSync(path.join(os.tmpdir(), "voice-test-"));
const binary = new LocalBinaryStore(path.join(dir, "store"));

/** Runs a command-line tool the tests use to make their audio. */
function tool(command: string, args: string[]) {
  execFileSync(command, args, { stdio: "pipe" });
}

let speech: Buffer;
let speechWebm: Buffer;

beforeAll(() => {
  tool("espeak-ng", ["-w", path.join(dir, "say.wav"), "turn on the kitchen lights"]);
  speech = readFileSync(path.join(dir, "say.wav"));
  // What a browser's MediaRecorder sends: Opus in WebM.
  tool("ffmpeg", ["-loglevel", "error", "-y", "-i", path.join(dir, "say.wav"), "-c:a", "libopus", "-f", "webm", path.join(dir, "say.webm")]);
  speechWebm = readFileSync(path.join(dir, "say.webm"));
});

afterEach(closeTestServers);

async function audioItem(data: Buffer, mimeType: string, property = "audio"): Promise<Item> {
  return { json: {}, binary: { [property]: await binary.put(data, { workspaceId: TEST_WORKSPACE_ID, mimeType }) } };
}

const commands = {
  intents: [{ name: "lights.set", patterns: ["turn (on|off):state the {room} lights"] }],
  slots: [{ name: "room", values: ["kitchen", "bedroom", "living room"] }],
};

async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NodeError);
  return err as NodeError;
}

describe("voice.transcribe, offline", () => {
  it("hears espeak's 'turn on the kitchen lights' with the command grammar: intent lights.set, room kitchen, state on", async () => {
    const { items, progress } = await runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(speech, "audio/wav")], binary });
    expect(items).toHaveLength(1);
    expect(items[0]!.json).toMatchObject({
      text: "turn on the kitchen lights",
      intent: "lights.set",
      entities: { room: "kitchen", state: "on" },
      understoodBy: "pattern",
      language: "en",
      provider: "offline",
    });
    expect(items[0]!.json.confidence).toBeGreaterThan(0);
    expect(items[0]!.json.durationSeconds).toBeCloseTo(1.59, 1);
    // The audio travels on with the result.
    expect(items[0]!.binary?.audio?.mimeType).toBe("audio/wav");
    expect(progress.map((p) => p.message)).toContain("Transcribing offline");
  });

  it("takes WebM/Opus, as a browser records it", async () => {
    const { items } = await runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(speechWebm, "audio/webm;codecs=opus", "recording")], binary });
    expect(items[0]!.json).toMatchObject({ text: "turn on the kitchen lights", intent: "lights.set", entities: { room: "kitchen", state: "on" } });
  });

  it("spots listed keywords in keyword mode", async () => {
    const { items } = await runNode(voiceTranscribeNode, {
      config: { offlineMode: "keywords", keywords: ["kitchen", "bedroom", "lights", "turn on", "turn off"] },
      input: [await audioItem(speech, "audio/wav")],
      binary,
    });
    expect(String(items[0]!.json.text)).toContain("kitchen");
    expect(items[0]!.json.intent).toBeNull();
  });

  it("refuses a file that is not audio, saying what to send", async () => {
    const err = await failure(runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(Buffer.from("name,amount\nAda,3\n"), "text/csv", "file")], binary }));
    expect(err.code).toBe("BAD_INPUT");
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^The audio \("file"\) is not an audio file ffmpeg can read \(.+\); send WAV, WebM\/Opus, Ogg, MP3, M4A or FLAC\.$/);
  });

  it("refuses a video without sound: no audio stream", async () => {
    tool("ffmpeg", ["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=1:s=64x48", "-pix_fmt", "yuv420p", path.join(dir, "silent-video.mp4")]);
    const err = await failure(runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(readFileSync(path.join(dir, "silent-video.mp4")), "video/mp4")], binary }));
    expect(err.code).toBe("BAD_INPUT");
    expect(err.message).toMatch(/has no audio stream \(mov,mp4.*: video\); send a recording with sound\./);
  });

  it("refuses silence", async () => {
    tool("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", path.join(dir, "silence.wav"), "trim", "0", "2"]);
    const err = await failure(runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(readFileSync(path.join(dir, "silence.wav")), "audio/wav")], binary }));
    expect(err.code).toBe("BAD_INPUT");
    // ffmpeg's resampling dithers digital silence to about -90 dBFS.
    expect(err.message).toMatch(/^The audio \("audio"\) is silent \((loudest -[89]\d(\.\d)? dBFS|not a single sample above zero)\); check the microphone and record again\.$/);
    // Near silence (a quiet hiss) is refused too, with its level.
    tool("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", path.join(dir, "hiss.wav"), "synth", "1", "whitenoise", "vol", "0.001"]);
    const hiss = await failure(runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(readFileSync(path.join(dir, "hiss.wav")), "audio/wav")], binary }));
    expect(hiss.message).toMatch(/is silent \(loudest -\d+(\.\d)? dBFS\)/);
  });

  it("refuses audio longer than the limit, by its header or, for streams that do not say, after decoding", async () => {
    const wav = await failure(runNode(voiceTranscribeNode, { config: { ...commands, maxSeconds: 1 }, input: [await audioItem(speech, "audio/wav")], binary }));
    expect(wav.message).toBe('The audio ("audio") is 1.6 s long; this node takes at most 1 s ("Longest audio"). Send a shorter recording.');
    tool("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", path.join(dir, "tone.wav"), "synth", "4", "sine", "440"]);
    tool("ffmpeg", ["-loglevel", "error", "-y", "-i", path.join(dir, "tone.wav"), "-c:a", "libopus", "-f", "webm", "-live", "1", path.join(dir, "tone.webm")]);
    const webm = await failure(runNode(voiceTranscribeNode, { config: { ...commands, maxSeconds: 2 }, input: [await audioItem(readFileSync(path.join(dir, "tone.webm")), "audio/webm")], binary }));
    expect(webm.message).toMatch(/is (2\.[5-9]|3\.0) s long; this node takes at most 2 s/);
  });

  it("says which pattern words the offline dictionary does not know", async () => {
    const err = await failure(
      runNode(voiceTranscribeNode, {
        config: { intents: [{ name: "tv", patterns: ["channel {n}"] }], slots: [{ name: "n", values: ["5", "zorblax"] }] },
        input: [await audioItem(speech, "audio/wav")],
        binary,
      }),
    );
    expect(err).toBeInstanceOf(NodeConfigError);
    expect(err.message).toBe(
      'The offline recognizer\'s English dictionary does not know "5", "zorblax"; reword the patterns, slot values or keywords, or use the Whisper provider. Write numbers as words ("five", not "5").',
    );
  });

  it("refuses a grammar without intents and broken patterns before anything runs", async () => {
    const none = await failure(runNode(voiceTranscribeNode, { config: {}, input: [await audioItem(speech, "audio/wav")], binary }));
    expect(none.message).toContain("Intents: the offline grammar is built from the intents' patterns");
    const broken = await failure(runNode(voiceTranscribeNode, { config: { intents: [{ name: "x", patterns: ["turn (on|off"] }] }, input: [await audioItem(speech, "audio/wav")], binary }));
    expect(broken.message).toContain('Intent "x": Pattern "turn (on|off" at position 6: "(" is not closed with ")"');
  });

  it("names the binary property it needs when the item has none", async () => {
    const err = await failure(runNode(voiceTranscribeNode, { config: { ...commands, binaryProperty: "voice" }, input: [await audioItem(speech, "audio/wav")], binary }));
    expect(err.message).toBe('The input item has no binary property "voice" (it has "audio"); set "Audio property" to one it has');
    const empty = await failure(runNode(voiceTranscribeNode, { config: commands, input: [{ json: {} }], binary }));
    expect(empty.message).toContain("carries no audio");
  });

  it("stops at once when the run is cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await failure(runNode(voiceTranscribeNode, { config: commands, input: [await audioItem(speech, "audio/wav")], binary, signal: controller.signal }));
    expect(err).toBeInstanceOf(NodeCancelledError);
  });
});

interface ReceivedUpload {
  path: string;
  authorization?: string;
  fields: Record<string, string>;
  file?: { name: string; fileName: string; mimeType: string; bytes: Buffer };
}

/** A server on loopback speaking OpenAI's POST /v1/audio/transcriptions (multipart in, verbose JSON out). */
async function startTranscriptionServer(answer: (upload: ReceivedUpload) => { status: number; body: unknown }) {
  const uploads: ReceivedUpload[] = [];
  const server = await startTestServer((req, res) => {
    const upload: ReceivedUpload = { path: req.url ?? "", authorization: req.headers.authorization, fields: {} };
    const parser = busboy({ headers: req.headers });
    parser.on("field", (name, value: string) => (upload.fields[name] = value));
    parser.on("file", (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => (upload.file = { name, fileName: info.filename ?? "", mimeType: info.mimeType, bytes: Buffer.concat(chunks) }));
    });
    parser.on("close", () => {
      uploads.push(upload);
      const { status, body } = req.method === "POST" && req.url === "/v1/audio/transcriptions" ? answer(upload) : { status: 404, body: { error: { message: "not found" } } };
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    req.pipe(parser);
  });
  return Object.assign(server, { uploads });
}

const verbose = (text: string) => ({
  task: "transcribe",
  language: "english",
  duration: 1.6,
  text,
  segments: [{ id: 0, seek: 0, start: 0, end: 1.6, text, tokens: [1], temperature: 0, avg_logprob: -0.1, compression_ratio: 1, no_speech_prob: 0.01 }],
});

describe("voice.transcribe, Whisper", () => {
  it("sends the audio as 16 kHz WAV with the model through the SDK and matches the text", async () => {
    const server = await startTranscriptionServer(() => ({ status: 200, body: verbose(" Turn off the bedroom lights.") }));
    const { items } = await runNode(voiceTranscribeNode, {
      config: { ...commands, provider: "whisper", model: "whisper-large-v3", language: "en", baseUrl: `${server.url}/v1` },
      credentials: { apiKey: "sk-test" },
      input: [await audioItem(speechWebm, "audio/webm")],
      binary,
      allowHosts: ["127.0.0.1"],
    });
    expect(items[0]!.json).toEqual({
      text: "Turn off the bedroom lights.",
      confidence: 0.905,
      intent: "lights.set",
      entities: { state: "off", room: "bedroom" },
      understoodBy: "pattern",
      language: "english",
      provider: "whisper",
      durationSeconds: expect.closeTo(1.6, 1),
    });
    const [upload] = server.uploads;
    expect(upload!.authorization).toBe("Bearer sk-test");
    expect(upload!.fields).toMatchObject({ model: "whisper-large-v3", language: "en", response_format: "verbose_json" });
    expect(upload!.file).toMatchObject({ name: "file", fileName: "audio.wav", mimeType: "audio/wav" });
    const wav = upload!.file!.bytes;
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.readUInt16LE(22)).toBe(1); // mono
    expect(wav.readUInt32LE(24)).toBe(16_000);
  });

  it("keeps the service's status: a refused key is a config error, a 503 is retryable", async () => {
    const refused = await startTranscriptionServer(() => ({ status: 401, body: { error: { message: "Incorrect API key provided" } } }));
    const config = { ...commands, provider: "whisper", baseUrl: `${refused.url}/v1` };
    const input = [await audioItem(speech, "audio/wav")];
    const key = await failure(runNode(voiceTranscribeNode, { config, credentials: { apiKey: "bad" }, input, binary, allowHosts: ["127.0.0.1"] }));
    expect(key).toBeInstanceOf(NodeConfigError);
    expect(key.message).toContain("refused the API key (401)");
    const busy = await startTranscriptionServer(() => ({ status: 503, body: { error: { message: "overloaded" } } }));
    const down = await failure(runNode(voiceTranscribeNode, { config: { ...config, baseUrl: `${busy.url}/v1` }, credentials: { apiKey: "k" }, input, binary, allowHosts: ["127.0.0.1"] }));
    expect(down).toMatchObject({ code: "EXTERNAL", retryable: true, status: 503 });
    const noKey = await failure(runNode(voiceTranscribeNode, { config, input, binary, allowHosts: ["127.0.0.1"] }));
    expect(noKey.message).toContain("needs an openai.api credential");
  });

  it("does not reach a private address unless allowed", async () => {
    const server = await startTranscriptionServer(() => ({ status: 200, body: verbose("x") }));
    const err = await failure(runNode(voiceTranscribeNode, { config: { ...commands, provider: "whisper", baseUrl: `${server.url}/v1` }, credentials: { apiKey: "k" }, input: [await audioItem(speech, "audio/wav")], binary }));
    expect(err.message).toMatch(/127\.0\.0\.1/);
    expect(server.uploads).toHaveLength(0);
  });

  it("asks the LLM fallback, held to the declared intents, when no pattern matches", async () => {
    const whisper = await startTranscriptionServer(() => ({ status: 200, body: verbose("could you make the kitchen bright") }));
    // The first answer names an entity no pattern declares; it is sent back, and the second fits.
    const llm = await startOpenAIServer((_, index) => ({
      tokens: [JSON.stringify({ intent: "lights.set", entities: index === 0 ? { room: "kitchen", colour: "red" } : { room: "kitchen", state: "on" } })],
    }));
    const { items } = await runNode(voiceTranscribeNode, {
      config: { ...commands, provider: "whisper", baseUrl: `${whisper.url}/v1`, llmFallback: { provider: "openai", model: "gpt-test", baseUrl: `${llm.url}/v1` } },
      credentials: { apiKey: "sk-test" },
      input: [await audioItem(speech, "audio/wav")],
      binary,
      allowHosts: ["127.0.0.1"],
    });
    expect(items[0]!.json).toMatchObject({ text: "could you make the kitchen bright", intent: "lights.set", entities: { room: "kitchen", state: "on" }, understoodBy: "llm" });
    const request = llm.requests[0]!.body as { model: string; messages: { role: string; content: string }[] };
    expect(request.model).toBe("gpt-test");
    expect(request.messages.find((m) => m.role === "system")!.content).toContain('lights.set: "turn (on|off):state the {room} lights"');
    expect(request.messages.find((m) => m.role === "user")!.content).toBe("could you make the kitchen bright");
    expect(llm.requests).toHaveLength(2);
    expect(JSON.stringify(llm.requests[1]!.body)).toContain("colour");
  });
});
