// Offline transcription speed through the voice.transcribe node (runNode, the real ffmpeg and pocketsphinx):
// espeak-ng speaks a command repeated to about --seconds of audio, and the node transcribes it with the command
// grammar and with the open English model. Each figure is seconds of wall time per second of audio (lower is
// better), the best of --runs; the whole node is timed: probe, decode to 16 kHz WAV, recognizer, patterns.
// Usage: node --import tsx bench/voice.ts [--seconds=10] [--runs=3]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalBinaryStore } from "../runner/binary-store";
import { runNode, TEST_WORKSPACE_ID } from "../runner/node-testing";
import { voiceTranscribeNode } from "../nodes/voice/voice-transcribe.node";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=", 2)));
const seconds = Number(args.seconds ?? 10);
const runs = Number(args.runs ?? 3);

const commands = {
  intents: [{ name: "lights.set", patterns: ["turn (on|off):state the {room} lights"] }],
  slots: [{ name: "room", values: ["kitchen", "bedroom", "living room"] }],
  maxSeconds: 300,
};

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "streamware-bench-voice-"));
  try {
    const binary = new LocalBinaryStore(path.join(dir, "store"));
    const cases: { name: string; text: string; config: Record<string, unknown> }[] = [
      { name: "command", text: "turn on the kitchen lights", config: commands },
      { name: "long", text: Array.from({ length: Math.max(1, Math.round(seconds / 3)) }, () => "turn on the kitchen lights. turn off the bedroom lights.").join(" "), config: commands },
    ];
    for (const { name, text, config } of cases) {
      const file = path.join(dir, `${name}.wav`);
      execFileSync("espeak-ng", ["-w", file, text]);
      const ref = await binary.put(readFileSync(file), { workspaceId: TEST_WORKSPACE_ID, mimeType: "audio/wav" });
      for (const mode of ["grammar", "open"] as const) {
        let best = Infinity;
        let audioSeconds = 0;
        let heard = "";
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          const { items } = await runNode(voiceTranscribeNode, { config: { ...config, offlineMode: mode }, input: [{ json: {}, binary: { audio: ref } }], binary });
          const elapsed = (performance.now() - started) / 1000;
          audioSeconds = Number(items[0]!.json.durationSeconds);
          heard = String(items[0]!.json.text);
          best = Math.min(best, elapsed);
        }
        console.log(`# ${name}/${mode}: ${audioSeconds.toFixed(1)} s of audio, ${best.toFixed(2)} s, heard "${heard.slice(0, 60)}${heard.length > 60 ? "…" : ""}"`);
        console.log(`BENCH voice.offline.${mode}.${name}.seconds_per_audio_second ${(best / audioSeconds).toFixed(3)} s/s`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
