# The platform image: the same sources `npm start` runs, on Node 22. docker-compose.yml runs
# the platform (a launcher supervising the device side and the API side) from it, and optionally the simulator.
# The ops console is built in a first stage (it needs the dev dependencies: Vite, SvelteKit) and
# only its static files (web/build) reach the image, which the platform serves at /.

FROM node:22-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY proto/package.json proto/
COPY ingest/package.json ingest/
COPY broker/package.json broker/
COPY api/package.json api/
COPY platform/package.json platform/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY firmware-sim/package.json firmware-sim/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
WORKDIR /app
# Workspace manifests first, so dependency layers are cached across source changes.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY proto/package.json proto/
COPY ingest/package.json ingest/
COPY broker/package.json broker/
COPY api/package.json api/
COPY platform/package.json platform/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY firmware-sim/package.json firmware-sim/
COPY web/package.json web/
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
COPY --from=console /app/web/build web/build
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    MQTT_HOST=0.0.0.0 \
    DATA_DIR=/var/lib/fleet
EXPOSE 8080 1883 8083
CMD ["node", "platform/src/main.ts"]
