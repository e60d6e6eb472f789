// Package npm defines a transformer that keeps npm's cache out of image
// layers.
//
// # Transformer npm
//
// npm: clean npm's cache in the RUN that installs with npm
//
// Level: info.
//
// A cache left in a layer costs space, not correctness.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers in the stages that end up in
// an image (the last stage, stages a later FROM builds on). npm install
// (and its aliases i, add, ci, clean-install, install-test, ...) keeps
// every package it downloaded in ~/.npm/_cacache, often tens of megabytes,
// and the layer keeps them. The fix appends " && npm cache clean --force"
// to the RUN, after its last command, so that the cache is emptied once
// every install of the RUN is done; through sudo when the install runs
// through sudo. Emptying the cache changes nothing that was installed.
// hadolint has no code for this. Over the 4,356 Dockerfiles of the shared
// corpus the rule reports 84 such RUNs.
//
// Nothing is added when the RUN already empties the cache after its last
// install ("npm cache clean", "npm cache rm", an rm of a path with .npm or
// _cacache in it), when it has a cache or tmpfs mount over /root/.npm or
// any .npm directory, or when an install names its own cache (--cache) or
// reads only from it (--offline).
// A RUN that ends with exit, a background command or a here-document is
// reported without a fix. When a RUN of the file installs with --offline
// or --prefer-offline, which read the cache, the fix is unsafe.
//
// With "cache-mounts: true" in .dockmend.yaml, a RUN that runs as root
// (no USER before it names another user) gets a BuildKit cache mount
// instead: RUN --mount=type=cache,target=/root/.npm, which keeps the cache
// between builds and out of the image.
//
// Before:
//
//	FROM node:20-slim
//	COPY package*.json ./
//	RUN npm ci --omit=dev
//
// After "dockmend fix":
//
//	FROM node:20-slim
//	COPY package*.json ./
//	RUN npm ci --omit=dev && npm cache clean --force
package npm
