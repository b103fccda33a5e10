# Streamware: one image for the web process and the workers (see the README's Deployment).
#   docker build -t streamware .
#   docker run -p 3000:3000 -v streamware-data:/app/.data streamware              # embedded: PGlite, in-process runner
#   docker run ... -e DATABASE_URL=... -e REDIS_URL=... streamware                 # web process, queue mode
#   docker run ... streamware node --no-node-snapshot dist/worker.mjs              # a worker

# Build: native addons (isolated-vm) need a compiler; none of it goes into the final image.
FROM node:24-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
# .next/cache only speeds up the next build: it stays behind.
RUN npm run build:all && npm prune --omit=dev && rm -rf .next/cache

# Run: Node 24 slim with ffmpeg (stream transcode), as the unprivileged `node` user.
FROM node:24-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini \
 && rm -rf /var/lib/apt/lists/*
# MALLOC_TRIM_THRESHOLD_ and the V8 flags of CMD keep memory down as `npm start` does (scripts/keep-current.mjs).
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOST=0.0.0.0 DATA_DIR=/app/.data MALLOC_TRIM_THRESHOLD_=65536
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/next.config.mjs ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/prisma ./prisma
COPY --from=build --chown=node:node /app/server/db/generated ./server/db/generated
# The data folder and the mount points of deploy/ (binary storage, backups) belong to `node`: a new named volume
# takes the owner of the folder it is mounted on, and one the image lacks would be root's.
RUN mkdir -p /app/.data /data/binary /data/backups && chown node:node /app/.data /data/binary /data/backups
USER node
VOLUME ["/app/.data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--no-node-snapshot", "--v8-pool-size=1", "--max-old-space-size=1024", "--no-allocation-site-pretenuring", "dist/server.mjs"]
