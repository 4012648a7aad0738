# One image for every Vigil service: `docker run vigil agent|analytics|alerts|dashboard`.
# docker-compose.yml builds it once and runs each service from it.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/data
# Dependencies as installed for the build (dev tools included): the alerts service's optional mail
# catcher uses a package that is a dev dependency, and the image stays one npm ci away from the lockfile.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The stack's configuration generator (`vigil stack --render-alertmanager`) reads the shipped files.
COPY prometheus ./prometheus
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000 9101 9102 9103
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--help"]
