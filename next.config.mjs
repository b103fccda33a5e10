/** @type {import("next").NextConfig} */
const nextConfig = {
  // Server-only packages with native, WebAssembly or worker parts are loaded by Node, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "@prisma/adapter-pg", "pg", "pino"],
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
