"use client";

import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import { ErrorAlert } from "./error-alert";

type Phase = { kind: "idle" } | { kind: "starting" } | { kind: "recording" } | { kind: "sending" } | { kind: "sent"; runId: string } | { kind: "error"; message: string };

/** Containers in the order browsers record them: Chromium and Firefox take WebM/Opus, Safari MP4. */
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
/** A press shorter than this is a click, not a recording; nothing is sent. */
const MIN_RECORDING_MS = 300;

function pickType(): string | undefined {
  return TYPES.find((t) => typeof MediaRecorder !== "undefined" && MediaRecorder.isTypeSupported(t));
}

/**
 * A "hold to talk" button: pressing (pointer, or Space/Enter held) records from the microphone with MediaRecorder,
 * releasing sends the recording to `POST /api/flows/<flowId>/voice`, which starts a run of the flow with it.
 * Shows the microphone level while recording, then the run id (passed to `onRun`) or what went wrong. With
 * `upload`, the recording goes there instead (a dashboard's widget, which shows what came of it itself).
 */
export function HoldToTalk({
  flowId,
  source = "draft",
  onRun,
  upload,
  disabled = false,
  className = "",
}: {
  flowId: string;
  source?: "draft" | "active";
  onRun?: (runId: string) => void;
  upload?: (recording: Blob) => Promise<void>;
  /** It records nothing while disabled; the caller says why beside it. */
  disabled?: boolean;
  className?: string;
}) {
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [level, setLevel] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const audioContext = useRef<AudioContext | null>(null);
  const frame = useRef<number | null>(null);
  const startedAt = useRef(0);
  const held = useRef(false);

  const release = useCallback(() => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    void audioContext.current?.close().catch(() => {});
    audioContext.current = null;
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    setLevel(0);
  }, []);

  useEffect(() => release, [release]);

  const send = useCallback(
    async (blob: Blob) => {
      setPhase({ kind: "sending" });
      try {
        if (upload) {
          await upload(blob);
          setPhase({ kind: "idle" });
          return;
        }
        const res = await fetch(`/api/flows/${encodeURIComponent(flowId)}/voice?source=${source}`, { method: "POST", headers: { "content-type": blob.type || "audio/webm" }, body: blob });
        const body = (await res.json().catch(() => ({}))) as { runId?: string; error?: string };
        if (!res.ok || !body.runId) throw new Error(body.error ?? `The server answered ${res.status}.`);
        setPhase({ kind: "sent", runId: body.runId });
        onRun?.(body.runId);
      } catch (err) {
        setPhase({ kind: "error", message: err instanceof Error ? err.message : String(err) });
      }
    },
    [flowId, source, onRun, upload],
  );

  const start = useCallback(async () => {
    if (held.current || disabled) return;
    held.current = true;
    const type = pickType();
    if (!type || !navigator.mediaDevices?.getUserMedia) {
      held.current = false;
      setPhase({ kind: "error", message: "This browser cannot record audio here (recording needs HTTPS or localhost)." });
      return;
    }
    setPhase({ kind: "starting" });
    try {
      const media = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
      stream.current = media;
      if (!held.current) {
        // Released before the microphone opened.
        release();
        setPhase({ kind: "idle" });
        return;
      }
      const context = new AudioContext();
      audioContext.current = context;
      const analyser = context.createAnalyser();
      analyser.fftSize = 512;
      context.createMediaStreamSource(media).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      const measure = () => {
        analyser.getByteTimeDomainData(samples);
        let peak = 0;
        for (const s of samples) peak = Math.max(peak, Math.abs(s - 128) / 128);
        setLevel(peak);
        frame.current = requestAnimationFrame(measure);
      };
      measure();

      const chunks: Blob[] = [];
      const rec = new MediaRecorder(media, { mimeType: type });
      rec.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.push(e.data);
      };
      rec.onstop = () => {
        release();
        const long = performance.now() - startedAt.current >= MIN_RECORDING_MS;
        if (!long) {
          setPhase({ kind: "error", message: "Hold the button while you speak, then let go." });
          return;
        }
        void send(new Blob(chunks, { type: rec.mimeType || type }));
      };
      recorder.current = rec;
      startedAt.current = performance.now();
      rec.start();
      setPhase({ kind: "recording" });
    } catch (err) {
      held.current = false;
      release();
      const denied = err instanceof DOMException && err.name === "NotAllowedError";
      setPhase({ kind: "error", message: denied ? "The microphone is blocked; allow it in the browser's site settings." : `The microphone could not start: ${(err as Error).message}` });
    }
  }, [release, send, disabled]);

  const stop = useCallback(() => {
    if (!held.current) return;
    held.current = false;
    if (recorder.current?.state === "recording") recorder.current.stop();
    recorder.current = null;
  }, []);

  // Space or Enter held down works the button like a press.
  const isTalkKey = (e: KeyboardEvent<HTMLButtonElement>) => e.key === " " || e.key === "Enter";
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!isTalkKey(e)) return;
    e.preventDefault();
    if (!e.repeat) void start();
  };
  const onKeyUp = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!isTalkKey(e)) return;
    e.preventDefault();
    stop();
  };
  const onPointerDown = (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    void start();
  };

  const recording = phase.kind === "recording";
  const busy = phase.kind === "sending" || phase.kind === "starting";
  const label = recording ? "Recording… release to send" : phase.kind === "sending" ? "Sending…" : phase.kind === "starting" ? "Opening the microphone…" : "Hold to talk";

  return (
    <div className={`nodrag flex flex-col gap-2 ${className}`}>
      <button
        type="button"
        aria-pressed={recording}
        disabled={disabled || phase.kind === "sending"}
        onPointerDown={onPointerDown}
        onPointerUp={stop}
        onPointerCancel={stop}
        onKeyDown={onKeyDown}
        onKeyUp={onKeyUp}
        onBlur={stop}
        onContextMenu={(e) => e.preventDefault()}
        className={`flex touch-none select-none items-center justify-center gap-2 rounded-full px-4 py-2 text-sm font-medium text-white transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 ${
          recording ? "bg-red-600 focus-visible:ring-red-500" : "bg-slate-800 hover:bg-slate-700 focus-visible:ring-slate-500 dark:bg-slate-200 dark:text-slate-900"
        } ${busy ? "opacity-70" : ""}`}
      >
        <span aria-hidden className={`inline-block h-2.5 w-2.5 rounded-full ${recording ? "animate-pulse bg-white" : "bg-red-500"}`} />
        {label}
      </button>
      {recording && (
        <div role="meter" aria-label="Microphone level" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(level * 100)} className="h-1.5 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-700">
          <div className="h-full bg-green-500 transition-[width] duration-75" style={{ width: `${Math.min(100, Math.round(level * 140))}%` }} />
        </div>
      )}
      <p aria-live="polite" className="text-xs text-slate-600 dark:text-slate-400">
        {phase.kind === "sent" ? (
          <>
            Run started: <code>{phase.runId}</code>
          </>
        ) : null}
      </p>
      {phase.kind === "error" && <ErrorAlert>{phase.message}</ErrorAlert>}
    </div>
  );
}
