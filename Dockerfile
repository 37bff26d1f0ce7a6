# syntax=docker/dockerfile:1
# agenthooks: multi-stage image. `build` compiles with the dev dependencies, `deps` installs the
# production dependencies only, `runtime` holds dist/ + those and runs as the non-root `node` user.
#   docker build -t agenthooks .
#   docker run -p 8787:8787 -v agenthooks-data:/data \
#     -e ANTHROPIC_WEBHOOK_SIGNING_KEY=whsec_... -e ANTHROPIC_API_KEY=sk-ant-... agenthooks
# docs/deploy.md has the SQLite-on-a-volume and the PostgreSQL-replicas setups.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATABASE_URL=/data/agenthooks.db \
    PORT=8787
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json README.md ./
# The SQLite database lives on a volume owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8787
# /ready answers 200 only when the store can commit.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/bin.js"]
CMD ["serve", "--host", "0.0.0.0"]
