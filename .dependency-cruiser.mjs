// The layers' import arrows, as the README's architecture section draws them; `npm test` fails on a new violation.
// Bottom to top: the pure flow core (nodes/_core and the kit's pure definitions), the node kit and node types,
// the runner, the server's services, routers and entry points, then app/. Arrows only point down.
// Tests and test support wire real stacks together and are left out; composition roots are named below.

/** The pure flow core: no I/O, importable from every layer, the browser included. */
const CORE = "^nodes/_core/";
/** The kit's pure definitions (types, defineNode, errors, items): what node authors and the core build on. */
const PURE_KIT = "^nodes/_kit/(context|define-node|define-credential|errors|items|idempotency|code-compat|http-status)\\.ts$";
/** The importers of other tools' flows: pure like the core (the editor runs them on a paste), above it, below node types. */
const INTEROP = "^nodes/_interop/";
/** Where everything is wired once: the server's entry point, the worker's and the CLI. */
const COMPOSITION_ROOTS = "^(server/main|server/cli|server/worker|server/migrate-cli)\\.ts$";
const TESTS = ["\\.test\\.tsx?$", "^server/fuzz/", "^e2e/"];
/** Next's server side of app/: route handlers and the server components that read the session. */
const APP_SERVER_EDGES = ["^app/api/", "^app/.*/?(page|layout)\\.tsx$", "^app/(page|layout)\\.tsx$", "^app/w/\\[slug\\]/workspaces\\.ts$"];

const config = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "The flow core does no I/O and depends on nothing above it: only itself, the kit's pure definitions, zod and jsonata.",
      severity: "error",
      from: { path: CORE, pathNot: TESTS },
      to: { pathNot: [CORE, PURE_KIT, "^node_modules/(zod|jsonata)/"] },
    },
    {
      name: "interop-is-pure",
      comment: "The importers read a value and return flow documents: only the core, the kit's pure definitions, each other, zod, jsonata and acorn (which parses n8n's JavaScript expressions, never runs them).",
      severity: "error",
      from: { path: INTEROP, pathNot: TESTS },
      to: { pathNot: [CORE, PURE_KIT, INTEROP, "^node_modules/(zod|jsonata|acorn)/"] },
    },
    {
      name: "nodes-stay-below",
      comment: "Node types and the kit reach the runner's services through ctx; they never import server, runner or app code.",
      severity: "error",
      from: { path: "^nodes/", pathNot: TESTS },
      to: { path: "^(server|runner|app)/" },
    },
    {
      name: "runner-not-above",
      comment: "The runner declares ports for what it needs and never imports services, routers or app; the worker process is wired in server/worker.ts.",
      severity: "error",
      from: { path: "^runner/", pathNot: [COMPOSITION_ROOTS, ...TESTS] },
      to: { path: "^(server|app)/" },
    },
    {
      name: "services-not-runner-io",
      comment: "Services implement the runner's ports; they never import runner modules that do I/O (only the ports, as types).",
      severity: "error",
      from: { path: "^server/services/", pathNot: TESTS },
      to: { path: "^runner/", pathNot: "^runner/ports\\.ts$" },
    },
    {
      name: "server-not-app",
      comment: "Nothing below app/ imports it.",
      severity: "error",
      from: { path: "^(server|runner|nodes|prisma)/", pathNot: TESTS },
      to: { path: "^app/" },
    },
    {
      name: "prisma-stays-below",
      comment: "prisma/ (schema, migrations, the migration runner) imports no application code.",
      severity: "error",
      from: { path: "^prisma/", pathNot: [COMPOSITION_ROOTS, ...TESTS] },
      to: { path: "^(server|runner|nodes|app)/" },
    },
    {
      name: "app-ui-only-pure",
      comment: "app/'s UI imports the pure core and kit types, the pure role rules and router types only; it learns the rest through tRPC.",
      severity: "error",
      from: { path: "^app/", pathNot: [...APP_SERVER_EDGES, ...TESTS] },
      to: {
        path: "^(server|runner|nodes)/",
        // The router is allowed here as a type; app-ui-router-types-only keeps it that way.
        pathNot: [CORE, PURE_KIT, INTEROP, "^server/services/workspace-roles\\.ts$", "^server/routers/_app\\.ts$"],
      },
    },
    {
      name: "app-ui-router-types-only",
      comment: "The router and the catalog reach app/'s UI as types only (inferRouterOutputs), never as code.",
      severity: "error",
      from: { path: "^app/", pathNot: [...APP_SERVER_EDGES, ...TESTS] },
      to: { path: "^server/routers/_app\\.ts$", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "app-edges-not-runner",
      comment: "Route handlers and server components reach the runtime through the request's context, never by importing the runner.",
      severity: "error",
      from: { path: APP_SERVER_EDGES, pathNot: TESTS },
      to: { path: "^runner/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^server/db/generated/", "^\\.next/", "^node_modules/"] },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"], extensions: [".ts", ".tsx", ".mts", ".js", ".mjs", ".cjs", ".json", ".d.ts"] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

export default config;
