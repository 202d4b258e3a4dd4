# syntax=docker/dockerfile:1
# gpu-mesh: build with the dev dependencies, run on node:22-slim with the production ones only.
#   docker build -t gpu-mesh .
#   docker run --rm gpu-mesh --help            (the entrypoint is the gpu-mesh command)
# tini is PID 1: it forwards SIGTERM/SIGINT/SIGHUP to gpu-mesh (which exits 0 on SIGTERM and
# reloads mesh.yaml on SIGHUP) and reaps the children of recovery commands.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# ca-certificates: TLS to rediss://, SMTP, Slack and cloud restart APIs; openssh-client: `kind: ssh` recoveries.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates openssh-client \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional: TypeScript (~23 MB) is an optional peer of @bull-board/api, so --omit=dev alone
# keeps it; this also leaves out msgpackr-extract, msgpackr's optional native speed-up (it falls back
# to JavaScript). deploy/rehearse-compose.sh checks that no TypeScript is left and measures the image.
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
# `gpu-mesh …` inside the container (docker compose exec gpu-mesh gpu-mesh status).
RUN printf '#!/bin/sh\nexec node /app/dist/cli/index.js "$@"\n' > /usr/local/bin/gpu-mesh \
 && chmod 0755 /usr/local/bin/gpu-mesh \
 && groupadd --system gpumesh \
 && useradd --system --gid gpumesh --home-dir /app --no-create-home --shell /usr/sbin/nologin gpumesh \
 && mkdir -p /etc/gpu-mesh /var/log/gpu-mesh /var/lib/gpu-mesh \
 && chown gpumesh:gpumesh /var/log/gpu-mesh /var/lib/gpu-mesh \
 && chmod 0700 /var/lib/gpu-mesh
USER gpumesh
# mesh.yaml: mount it at /app/mesh.yaml (the working directory), or anywhere with GPU_MESH_CONFIG set
# to it (docker-compose.yml mounts a folder, so that edits reach the running process).
EXPOSE 3000
# /healthz answers while the process runs (the server role must be on; see docker-compose.yml for
# the simulator, which overrides this). GPU_MESH_HEALTH_URL if server.port is not 3000.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.GPU_MESH_HEALTH_URL||'http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cli/index.js"]
CMD ["start"]
