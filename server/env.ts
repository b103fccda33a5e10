import { z } from "zod";
import { jsonMaxDepthSchema } from "../nodes/_core/json-check";
import { ConfigError } from "../nodes/_core/config-error";
import { isTrustedProxyEntry, TRUSTED_PROXY_RANGES } from "./client-address";

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

/** Every environment variable Streamware reads, with its default; README.md's table mirrors this. */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().default(".data"),
    NEXTAUTH_URL: z.url().optional(),
    NEXTAUTH_SECRET: z.string().min(16, "NEXTAUTH_SECRET must be at least 16 characters").optional(),
    STREAMWARE_ENCRYPTION_KEY: z.string().optional(),
    STREAMWARE_PREVIOUS_ENCRYPTION_KEYS: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((k) => k.trim()).filter(Boolean) : [])),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_NAME: z.string().min(1).default("SSO"),
    OIDC_ALLOWED_DOMAINS: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((d) => d.trim().toLowerCase()).filter(Boolean) : [])),
    DEV_LOGIN: flag.optional(),
    /** Emails made instance administrators when they sign in, besides the instance's first user. */
    INSTANCE_ADMINS: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((e) => e.trim().toLowerCase()).filter(Boolean) : []))
      .pipe(z.array(z.email({ error: "INSTANCE_ADMINS must be a comma-separated list of email addresses" }))),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    BINARY_DIR: z.string().optional(),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
    /** Runs of one workspace at once per process (of WORKER_CONCURRENCY); unset, three quarters of them. */
    WORKSPACE_CONCURRENCY: z.coerce.number().int().min(1).max(1000).optional(),
    /** The bearer token a Prometheus scraper sends for /api/metrics (and a worker's /metrics); unset, metrics are not served. */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    /** A worker's own HTTP port for /health, /ready and /metrics (probes and scrapers); unset, a worker listens on none. */
    WORKER_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    HTTP_ALLOW_HOSTS: z.string().optional(),
    TRANSCODE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    TRANSCODE_INPUT_DIR: z.string().min(1).optional(),
    MEDIA_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
    WORKER_QUEUES: z
      .string()
      .default("runs,media")
      .transform((v) => v.split(",").map((q) => q.trim()).filter(Boolean))
      .pipe(z.array(z.enum(["runs", "media"], { error: "name the queues to take as a comma-separated list of runs and media" })).min(1, "name at least one queue: runs, media")),
    WEBHOOK_RATE_LIMIT: z.coerce.number().int().min(0).default(10_000),
    /** Requests an API key may make a minute on /api/v1 (bursts up to as many at once); 0 turns the limit off. */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    /** Sign-in attempts (POSTs to /api/auth) per address a minute, across web processes; 0 turns the limit off. */
    SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(30),
    /**
     * The reverse proxies (addresses, CIDR ranges, or loopback, linklocal, uniquelocal) whose X-Forwarded-For names
     * the client; unset, none: the client is the connection's own address and X-Forwarded-For is not read.
     */
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((v) => (v ? v.split(",").map((p) => p.trim()).filter(Boolean) : []))
      .pipe(
        z.array(
          z.string().refine(isTrustedProxyEntry, {
            error: (issue) => `"${String(issue.input)}" is not an address, a CIDR range such as 10.0.0.0/8, or one of ${TRUSTED_PROXY_RANGES.join(", ")}`,
          }),
        ),
      ),
    API_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
    /** How long a verified API key is trusted from memory: other processes see a revocation within this time. */
    API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
    EXPRESSION_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    EXPRESSION_MEMORY_MB: z.coerce.number().int().min(16).max(1024).default(64),
    JSON_MAX_DEPTH: jsonMaxDepthSchema,
    STEP_DATA_CAP_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
    RUN_RETENTION_DAYS: z.coerce.number().min(0).default(14),
    RUN_RETENTION_PER_FLOW: z.coerce.number().int().min(0).default(1000),
    RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
    RUN_MAX_WORKER_LOSSES: z.coerce.number().int().min(1).default(2),
    LISTENER_LOCK_MS: z.coerce.number().int().min(300).default(15_000),
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: "SMTP_URL must be an smtp:// or smtps:// URL, such as smtp://user:password@mail.example.com:587" }).optional(),
    SMTP_FROM: z.string().min(3).default("Streamware <no-reply@localhost>"),
    INVITATION_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
    /** Encrypts backups: a passphrase of 16 characters or more, or an age identity (AGE-SECRET-KEY-1…). */
    BACKUP_KEY: z.string().optional(),
    /** When the server writes a backup, as a cron expression (UTC); unset, only `npm run cli -- backup` writes them. */
    BACKUP_SCHEDULE: z.string().trim().min(1).optional(),
    /** Where scheduled backups go; unset, `backups` in DATA_DIR. */
    BACKUP_DIR: z.string().optional(),
    /** How many scheduled backups to keep: the oldest beyond it are deleted after each new one is checked. */
    BACKUP_RETAIN: z.coerce.number().int().min(1).max(1000).default(7),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean)) {
      ctx.addIssue({
        code: "custom",
        path: ["OIDC_ISSUER"],
        message: "OIDC sign-in needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
      });
    }
    if (env.BACKUP_SCHEDULE && !env.BACKUP_KEY) {
      ctx.addIssue({ code: "custom", path: ["BACKUP_KEY"], message: "scheduled backups (BACKUP_SCHEDULE) need BACKUP_KEY, the passphrase or age identity they are encrypted with" });
    }
  });

export type Env = z.infer<typeof envSchema>;

// Defined in the core, as the runner's HTTP allow list throws it too.
export { ConfigError };

export type EnvSource = Record<string, string | undefined>;

export function parseEnv(source: EnvSource): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Embedded mode (no DATABASE_URL) is a single-user development set-up, so the dev sign-in is on unless turned off. */
export function devLoginEnabled(e: Env = env()): boolean {
  return e.DEV_LOGIN ?? !e.DATABASE_URL;
}

export function oidcEnabled(e: Env = env()): boolean {
  return Boolean(e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET);
}
