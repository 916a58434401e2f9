# syntax=docker/dockerfile:1
# Development image of the honua-gitops action. Release tags point action.yml
# at a prebuilt image instead, so users never compile Go in their runs.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/honua-gitops ./cmd/honua-gitops

# Static binary, CA certificates, no shell, non-root.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/honua-gitops /usr/local/bin/honua-gitops
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/honua-gitops"]
