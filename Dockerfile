# One image for every Vigil service: `docker run vigil agent|analytics|alerts|dashboard`.
# docker-compose.yml builds it once and runs each service from it.
#
# One stage on purpose: services read files that ship beside the code (analytics' default rules,
# prometheus/*.yml for `vigil stack --render-alertmanager`, the dashboard's browser assets), and the
# alerts service's optional mail catcher uses a dev dependency; copying the built tree whole keeps
# every one of them where the code expects it.
FROM node:20-bookworm-slim
WORKDIR /app
ENV DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 5000 9101 9102 9103
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--help"]
