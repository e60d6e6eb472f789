// Package yarn defines a transformer that keeps Yarn's cache out of image
// layers.
//
// # Transformer yarn
//
// yarn: clean Yarn's cache in the RUN that installs with yarn (unsafe)
//
// Level: info.
//
// As hadolint grades DL3060.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers in the stages that end up in
// an image. "yarn install", "yarn add", "yarn global add" and a bare
// "yarn" (which installs) keep every package they downloaded in Yarn's
// cache (/usr/local/share/.cache/yarn for root with Yarn 1), and the layer
// keeps it (DL3060). The fix appends " && yarn cache clean" to the RUN,
// after its last command (through sudo when the install runs through
// sudo). Over the 4,356 Dockerfiles of the shared corpus the rule reports
// 7 such RUNs.
//
// The fix is unsafe: with Yarn 2 and later and Plug'n'Play, the packages
// are read from the cache at run time, so cleaning it breaks the app.
// Apply it with --unsafe-fixes for Yarn 1 (node_modules) projects.
//
// Nothing is added when the RUN already cleans the cache after its last
// install ("yarn cache clean", an rm of a path with yarn in it), when it
// has a cache or tmpfs mount over /usr/local/share/.cache/yarn,
// /root/.cache/yarn or any .yarn or yarn cache directory, or when an
// install names its own cache folder (--cache-folder). A RUN that ends
// with exit, a background command or a here-document is reported without
// a fix.
//
// With "cache-mounts: true" in .dockmend.yaml, a RUN that runs as root
// gets RUN --mount=type=cache,target=/usr/local/share/.cache/yarn instead.
//
// Before:
//
//	FROM node:20-slim
//	RUN yarn install --frozen-lockfile --production
//
// After "dockmend fix --unsafe-fixes":
//
//	FROM node:20-slim
//	RUN yarn install --frozen-lockfile --production && yarn cache clean
package yarn
