# syntax=docker/dockerfile:1
# ecs-role-operator container image.
#   docker build -t ecs-role-operator:0.1.0 .
# Two stages: the build stage compiles TypeScript and prunes dev dependencies; the runtime stage
# is distroless Node.js 20 (no shell, no package manager) running as the non-root user 65532.

FROM node:20-slim AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY crds ./crds
RUN npm run build && npm prune --omit=dev

FROM gcr.io/distroless/nodejs20-debian12:nonroot AS runtime
WORKDIR /app
ENV NODE_ENV=production
# package.json beside crds/ marks the package root that the CLI looks for at run time;
# fleets/ and deploy/examples/ let `sandbox` run from the image too.
COPY --from=build --chown=65532:65532 /app/package.json ./package.json
COPY --from=build --chown=65532:65532 /app/node_modules ./node_modules
COPY --from=build --chown=65532:65532 /app/dist/src ./dist/src
COPY --from=build --chown=65532:65532 /app/crds ./crds
COPY --chown=65532:65532 fleets ./fleets
COPY --chown=65532:65532 deploy/examples ./deploy/examples
USER 65532:65532
EXPOSE 8080 8081
# The distroless image has node at /nodejs/bin/node and no shell; exec form only.
ENTRYPOINT ["/nodejs/bin/node", "dist/src/cli/main.js"]
CMD ["run"]
