# syntax=docker/dockerfile:1
# One image for every role of Channel inspector: web (pages, APIs, Payment Server), indexer,
# runner (the Payment Server's background duties) and migrate. The role is the command:
#   docker run IMAGE            -> web
#   docker run IMAGE indexer    -> the indexer (runner, migrate likewise)
# deploy/docker/entrypoint.sh maps the role to its npm script's command and execs it, so that
# node receives SIGTERM itself (tini is PID 1 and forwards it); deploy/README.md tells the rest.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: every dependency (dev tools included: solc compiles the contracts, Next.js builds),
# then `npm run build`, then the dev tools pruned away.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# The postinstall (contracts build, prisma generate) reads these, so they come before the
# install; the rest of the sources after it, so that a source change reuses the install layer.
COPY package.json package-lock.json tsconfig.json prisma.config.ts ./
COPY scripts/postinstall.ts scripts/postinstall.ts
# The npm workspace of the client package (the app imports its source: the token's wire format).
COPY packages/payment-client/package.json packages/payment-client/package.json
COPY contracts contracts
COPY prisma prisma
# npm 11.16 or later honours package.json's `allowScripts` (which dependencies' install scripts
# run: not Prisma's engine download, not the foundry binaries'); the base image's npm 10 would
# run them all. `npm install`, not `npm ci`: the lockfile lists platform builds (darwin, win32)
# that some registries lack, and `npm ci` refuses them (see README).
RUN --mount=type=cache,target=/root/.npm npm install --global npm@11.19.1 \
  && npm install --no-audit --no-fund
COPY . .
RUN npm run build \
  # The runtime needs no compiler, test runner or embedded database: they are dev dependencies.
  && npm prune --omit=dev --no-audit --no-fund \
  # Next.js's build cache speeds up the next build only; the runtime writes its own there.
  && rm -rf .next/cache

# --- runtime: the pruned tree, Debian's libsecp256k1 for the token crypto, a non-root user.
FROM ${NODE_IMAGE} AS runtime
# libsecp256k1-1 (0.2): about 25 % less CPU per recovery than the npm addon's bundled copy
# (README, "Payment Server"); tini: PID 1 that forwards signals and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libsecp256k1-1 tini \
  && rm -rf /var/lib/apt/lists/* \
  # A fixed, numeric uid/gid: Kubernetes' runAsNonRoot can check a numeric USER, and volumes
  # (fsGroup) and secrets files can be granted to it.
  && groupadd --system --gid 10001 app \
  && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
ENV NODE_ENV=production \
  NEXT_TELEMETRY_DISABLED=1 \
  HOST=0.0.0.0 \
  PORT=3000 \
  INDEXER_HOST=0.0.0.0 \
  INDEXER_PORT=9464 \
  RUNNER_HOST=0.0.0.0 \
  RUNNER_PORT=9465 \
  LOG_FORMAT=json \
  SECP256K1_LIBRARY=libsecp256k1.so.1 \
  PATH=/app/node_modules/.bin:$PATH
# Owned by root, so the app cannot change its own code; only .next/cache (Next.js's runtime
# cache) belongs to the app user.
COPY --from=build /app /app
RUN mkdir -p /app/.next/cache && chown app:app /app/.next/cache
USER 10001:10001
EXPOSE 3000 9464 9465
# The web role's liveness (the process answers; no dependency checks). The indexer and runner
# roles answer /livez on their own ports: compose and Kubernetes give them their own checks.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--", "/app/deploy/docker/entrypoint.sh"]
CMD ["web"]
