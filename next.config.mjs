/** @type {import("next").NextConfig} */
const nextConfig = {
  // Server-only packages with native, WebAssembly or worker parts are loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "pino", "isolated-vm", "bullmq", "ioredis", "undici", "jsonata"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tests included) once; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
};

export default nextConfig;
