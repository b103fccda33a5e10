// What the browser bundle may reach: no client component ("use client" files) may reach an I/O module, however
// many imports away. Type-only imports are left out (tsPreCompilationDeps: false): they vanish from the bundle.
import fs from "node:fs";
import path from "node:path";

/** Every app/ file that starts with the "use client" directive, as an anchored pattern. */
function clientFiles(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...clientFiles(file));
    else if (/\.tsx?$/.test(entry.name) && /^\s*["']use client["']/.test(fs.readFileSync(file, "utf8"))) found.push(file.split(path.sep).join("/"));
  }
  return found;
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Modules that do I/O or hold server-only code: server and runner code, node types, drivers and Node's own I/O.
 * The importers of other tools' flows (nodes/_interop) are pure, a rule of their own in .dependency-cruiser.mjs.
 */
const IO = [
  "^server/",
  "^runner/",
  "^nodes/(?!_core/|_interop/|_kit/(context|define-node|define-credential|errors|items|code-compat|http-status)\\.ts$)",
  "^node_modules/(@prisma|@electric-sql|pg|ioredis|bullmq|mqtt|isolated-vm|fluent-ffmpeg|nodemailer|busboy|pino|next-auth/next)(/|$)",
  "^(node:)?(fs|net|tls|dgram|child_process|worker_threads|cluster|http|https|http2|os|dns)$",
];

const config = {
  forbidden: [
    {
      name: "client-reaches-no-io",
      comment: "A client component and everything it imports end up in the browser bundle: only pure modules may be reached.",
      severity: "error",
      from: { path: clientFiles("app").map((file) => `^${escape(file)}$`) },
      // The pure role rules are the one server file a client component may run.
      to: { reachable: true, path: IO, pathNot: "^server/services/workspace-roles\\.ts$" },
    },
  ],
  options: {
    tsPreCompilationDeps: false,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^server/db/generated/", "^\\.next/", "\\.test\\.tsx?$"] },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"] },
  },
};

export default config;
