# The platform image: the same sources `npm start` runs, on Node 22. docker-compose.yml runs
# the platform process (broker + ingest + API + hub) from it, and optionally the simulator.
FROM node:22-bookworm-slim
WORKDIR /app
# Workspace manifests first, so dependency layers are cached across source changes.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY proto/package.json proto/
COPY ingest/package.json ingest/
COPY broker/package.json broker/
COPY api/package.json api/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY firmware-sim/package.json firmware-sim/
RUN npm install --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    MQTT_HOST=0.0.0.0 \
    DATA_DIR=/var/lib/fleet
EXPOSE 8080 1883 8083
CMD ["node", "api/src/main.ts"]
