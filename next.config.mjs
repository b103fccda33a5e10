/** @type {import("next").NextConfig} */
const nextConfig = {
  // Server-only packages with native, WebAssembly or worker parts are loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "pino", "pino-pretty", "prom-client", "isolated-vm", "bullmq", "ioredis", "undici", "jsonata"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tests included) once; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // The app is opened by 127.0.0.1 as well as by localhost; in development Next.js serves its own resources
  // (hot reload) only to the origins named here.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
};

export default nextConfig;
