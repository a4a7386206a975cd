# ocop-cycle: one image for every process role (api, worker, sender, migrate; README, "Process roles"), compiled.
# Temporal and PostgreSQL come from docker-compose.yml (or TEMPORAL_ADDRESS and DATABASE_URL): no server binaries here.
#
# Build stage: every package from the lock file (`npm ci`), then `npm run build` (dist/: the compiled entry points
# and the prebuilt workflow bundle). Run stage: the production packages only, the build, a non-root user.
# Install scripts are not run (`--ignore-scripts`): the image needs none (the Temporal core bridge and esbuild ship
# their binaries as packages), and the lock file's embedded PostgreSQL, whose install script only `npm start` needs,
# is an optional dependency the run stage leaves out with the packaged Node.js (`--omit=optional`).
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build

FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/temporal-pins.json ./scripts/temporal-pins.json
RUN useradd --system --uid 10001 --home-dir /var/lib/ocop --create-home ocop
USER 10001
ENV OCOP_DATA_DIR=/var/lib/ocop
EXPOSE 3000 9464
# Every role answers GET /health on API_PORT (the API, or a worker's or sender's own small endpoint).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.API_PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `--role api` (worker, sender, migrate) after it runs one role; without it, all of them.
CMD ["node", "dist/start.js"]
