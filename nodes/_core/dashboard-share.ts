import { z } from "zod";
import type { Widget } from "./dashboard";

/** Origins a dashboard may be embedded from, at most. */
export const MAX_EMBED_ORIGINS = 20;
/** Share links a dashboard may hold (revoked ones count until the dashboard is deleted). */
export const MAX_SHARES_PER_DASHBOARD = 100;
/** An uploaded logo, as the data: URL it is stored as. */
export const MAX_LOGO_DATA_URL_CHARS = 96_000;
/** What the browser checks an uploaded logo against before encoding it (the encoding adds a third). */
export const MAX_LOGO_BYTES = 64 * 1024;

/** An origin, as the frame-ancestors directive names one: scheme, host and optional port, nothing else. */
export const embedOrigin = z
  .string()
  .trim()
  .min(1, "Type an origin such as https://intranet.example.com")
  .max(200, "Keep an origin under 200 characters")
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `${value} is not an origin: write it as https://host or https://host:port` });
      return z.NEVER;
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || url.pathname.length > 1 || url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: `${value} is not an origin: write only the scheme, host and port, such as https://intranet.example.com` });
      return z.NEVER;
    }
    return url.origin;
  });

export const embedOrigins = z
  .array(embedOrigin)
  .max(MAX_EMBED_ORIGINS, `Allow at most ${MAX_EMBED_ORIGINS} origins`)
  .transform((origins) => [...new Set(origins)]);

/** The Content-Security-Policy that lets only the dashboard's origins show a shared page in a frame. */
export function frameAncestorsPolicy(origins: readonly string[]): string {
  return `frame-ancestors ${origins.length ? origins.join(" ") : "'none'"}`;
}

export const accentColour = z
  .string()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, "Write the accent colour as # and six hex digits, such as #4f46e5")
  .transform((value) => value.toLowerCase());

/** A logo: an https address, or a small PNG, JPEG, GIF or WebP image uploaded as a data: URL. */
export const brandLogo = z
  .string()
  .trim()
  .max(MAX_LOGO_DATA_URL_CHARS, `Choose a logo image under ${MAX_LOGO_BYTES / 1024} KB, or link to one`)
  .refine((value) => /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*$/.test(value) || (value.length <= 2000 && /^https:\/\/[^\s"'<>]+$/.test(value)), {
    message: "The logo is an https:// address of an image, or a PNG, JPEG, GIF or WebP file",
  });

export const brandingInput = z.object({
  name: z.string().trim().max(80, "Keep the display name under 80 characters").nullable(),
  logo: brandLogo.nullable(),
  accent: accentColour.nullable(),
});

/** How a workspace presents its shared dashboards; null parts fall back to the workspace name and the app's colours. */
export type Branding = z.infer<typeof brandingInput>;

/** A share link as its dashboard's editors see it: never the link itself, which is shown once when made. */
export interface ShareSummary {
  id: string;
  label: string | null;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Works now: neither revoked nor expired, as of the answer. */
  active: boolean;
}

/** What a shared page shows: the dashboard read-only, under its workspace's branding. */
export interface SharedDashboard {
  dashboard: { id: string; name: string; description: string | null; widgets: Widget[] };
  /** Branding with the workspace's name filled in when no display name is set. */
  branding: { name: string; logo: string | null; accent: string | null };
}

/** The path a share link opens. */
export const sharePath = (token: string) => `/s/${token}`;

/** A share token's shape: checked before any work, so a mistyped one answers like a missing one at once. */
export const SHARE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}$/;

/** The accent shared pages use when the workspace sets none (the app's indigo). */
export const DEFAULT_ACCENT = "#4f46e5";

/** Black or white, whichever reads better on the accent colour (WCAG relative luminance). */
export function textOnAccent(accent: string): "#000000" | "#ffffff" {
  const channel = (offset: number) => {
    const c = parseInt(accent.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.179 ? "#000000" : "#ffffff";
}
