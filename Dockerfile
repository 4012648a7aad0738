# One image for every Vigil service: `docker run vigil agent|analytics|alerts|dashboard`.
# docker-compose.yml builds it once and runs each service from it.
#
# Two stages: `build` installs every dependency and compiles (TypeScript, and the dashboard's browser
# bundle when the build makes one, into dist/); the runtime stage holds only production dependencies,
# the compiled dist/ and the files the services read beside the code. test/docker-image.int.test.ts
# replays this stage's COPY lines and `npm ci --omit=dev` in a temporary folder and runs every command
# from it, so a runtime import of a development dependency fails a test, not a deployment.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# analytics' shipped rules; prometheus/ for `vigil stack --render-alertmanager` (the alertmanager-config container).
COPY analytics/default-rules.yml ./analytics/default-rules.yml
COPY prometheus ./prometheus
RUN mkdir -p /data && chown node:node /data
# The image's `node` user (uid 1000): no service needs root. The agent reads the host's /proc and root
# filesystem through read-only mounts, which need no privilege.
USER node
VOLUME ["/data"]
EXPOSE 5000 9101 9102 9103
# GET /-/healthy on the port of the service this container runs (no curl in the slim image).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["node", "/app/dist/common/healthcheck.js"]
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--help"]
