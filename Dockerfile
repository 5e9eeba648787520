# syntax=docker/dockerfile:1
# ecs-role-operator container image.
#   docker build -t ecs-role-operator:0.1.0 .
# The image holds the product alone: the root package's production dependencies, its compiled
# src/ bundled into dist/ecs-role-operator.mjs (scripts/bundle.mjs) and the CRDs. The simulators and the sandbox (workspace packages under packages/) are test
# infrastructure and stay out. Runtime is distroless Node.js 20 (no shell, no package manager)
# running as the non-root user 65532.

FROM node:20-slim AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json tsconfig.base.json ./
COPY packages ./packages
RUN npm ci
COPY src ./src
COPY crds ./crds
COPY scripts/bundle.mjs ./scripts/bundle.mjs
RUN npx tsc -b src && node scripts/bundle.mjs

FROM node:20-slim AS production-dependencies
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# --workspaces=false: only the root package's own dependencies, none of the workspace packages.
RUN npm ci --omit=dev --workspaces=false

FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
# package.json beside crds/ marks the package root that the CLI looks for at run time.
COPY --from=build --chown=65532:65532 /app/package.json ./package.json
COPY --from=production-dependencies --chown=65532:65532 /app/node_modules ./node_modules
COPY --from=build --chown=65532:65532 /app/dist/ecs-role-operator.mjs ./dist/ecs-role-operator.mjs
COPY --from=build --chown=65532:65532 /app/crds ./crds
USER 65532:65532
EXPOSE 8080 8081
# The distroless image has node at /nodejs/bin/node and no shell; exec form only.
ENTRYPOINT ["/nodejs/bin/node", "dist/ecs-role-operator.mjs"]
CMD ["run"]
