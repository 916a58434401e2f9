# syntax=docker/dockerfile:1
# The honua-gitops action and CLI image: one static binary (go-git speaks
# HTTPS itself, so there is no git, no shell and no package manager in it).
# Release tags point action.yml at the prebuilt multi-arch image on GHCR;
# this Dockerfile is the development path (`runs.image: Dockerfile`).
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
ARG TARGETOS TARGETARCH
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/honua-gitops ./cmd/honua-gitops

# distroless/static: CA certificates and tzdata, nothing else (~2 MB).
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/honua-gitops /usr/local/bin/honua-gitops
# GitHub runs Docker actions as the image's user and requires root to write
# the workspace and the file-command files ($GITHUB_OUTPUT, the step
# summary): "Docker actions must be run by the default Docker user (root)".
# The binary needs no privilege; as a CLI, run the image with
# `--user 65532:65532` (distroless's nonroot user).
ENTRYPOINT ["/usr/local/bin/honua-gitops"]
