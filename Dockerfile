# The pipeline worker and CLI image used by docker-compose.yml.
FROM node:20.20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The driver patches (patches/) are applied by npm ci's postinstall.
COPY patches ./patches
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Workers load a pre-built workflow bundle instead of bundling at start-up.
RUN node --import tsx cli/paccafe.ts build && ln -s /app/bin/paccafe /usr/local/bin/paccafe
CMD ["paccafe", "worker"]
