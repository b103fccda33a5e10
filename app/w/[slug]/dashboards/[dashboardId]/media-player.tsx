"use client";

import { useEffect, useRef, useState } from "react";
import { mediaKindOf } from "@/nodes/_core/dashboard-proposals";

const HLS_MIME = "application/vnd.apple.mpegurl";

/**
 * An HLS stream: Safari plays it natively; elsewhere hls.js, loaded only when a stream is shown, feeds the video
 * through Media Source Extensions.
 */
function HlsVideo({ url, label }: { url: string; label: string }) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    setProblem(null);
    if (element.canPlayType(HLS_MIME)) {
      element.src = url;
      return () => element.removeAttribute("src");
    }
    let destroy: (() => void) | undefined;
    let cancelled = false;
    import("hls.js").then(
      ({ default: Hls }) => {
        if (cancelled) return;
        if (!Hls.isSupported()) {
          setProblem("This browser cannot play HLS streams.");
          return;
        }
        const hls = new Hls();
        hls.on(Hls.Events.ERROR, (_event, data) => {
          if (data.fatal) setProblem(`The stream could not be played (${data.details}).`);
        });
        hls.loadSource(url);
        hls.attachMedia(element);
        destroy = () => hls.destroy();
      },
      () => setProblem("The HLS player could not be loaded."),
    );
    return () => {
      cancelled = true;
      destroy?.();
    };
  }, [url]);

  return (
    <div className="flex h-full flex-col">
      <video
        ref={video}
        controls
        muted
        playsInline
        aria-label={label}
        onError={() => setProblem((shown) => shown ?? "The stream could not be played.")}
        className="min-h-0 w-full flex-1 bg-black object-contain"
      />
      {problem && <p className="px-3 py-1 text-xs text-red-700 dark:text-red-300">{problem}</p>}
    </div>
  );
}

/** A media address played by what its extension names: an image, audio, a video file, or an HLS stream. */
export function MediaPlayer({ url, label }: { url: string; label: string }) {
  const kind = mediaKindOf(url);
  if (kind === "image") {
    // eslint-disable-next-line @next/next/no-img-element -- addresses come from a flow's data, from any host
    return <img src={url} alt={label} className="h-full w-full object-contain" />;
  }
  if (kind === "audio") {
    return (
      <div className="flex h-full items-center px-3">
        <audio controls src={url} aria-label={label} className="w-full" />
      </div>
    );
  }
  if (kind === "video") return <video controls playsInline src={url} aria-label={label} className="h-full w-full bg-black object-contain" />;
  if (kind === "hls") return <HlsVideo key={url} url={url} label={label} />;
  return <p className="break-all px-3 pb-2 text-xs text-slate-500 dark:text-slate-400">Not a media address: {url}</p>;
}
