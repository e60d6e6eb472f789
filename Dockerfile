# The container image of dockmend: dockmend, git (for dockmend migrate) and a shell (for CI systems
# that run scripts in the image), as a non-root user.
#
#   docker build -t dockmend .
#   docker run --rm -v "$PWD:/src" dockmend check /src
#
# The bases are pinned by digest with their tags kept, as dockmend's pin rule writes them;
# `dockmend fix --refresh Dockerfile` moves them to the tags' current digests.

FROM golang:1.26.8-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
WORKDIR /src
# The modules first, in their own layer, so that a change to the source alone reuses them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary; with the repository's .git in the build context, go stamps the version
# (the release tag, or a pseudo-version of the commit) that `dockmend version` prints.
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/dockmend ./cmd/dockmend

FROM debian:bookworm-slim@sha256:60eac759739651111db372c07be67863818726f754804b8707c90979bda511df
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates git \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --create-home --shell /bin/sh dockmend
COPY --from=build /out/dockmend /usr/local/bin/dockmend
USER dockmend
WORKDIR /src
ENTRYPOINT ["dockmend"]
CMD ["check", "."]
