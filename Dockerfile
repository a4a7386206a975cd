# ocop-cycle: worker + HTTP API. Temporal and PostgreSQL come from docker-compose.yml (or TEMPORAL_ADDRESS and
# DATABASE_URL), so this image installs no server binaries.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
EXPOSE 3000
CMD ["npx", "tsx", "cli/start.ts"]
