// Package multistage defines a transformer that moves a build out of the
// final image: a deterministic single-stage to multi-stage rewrite.
//
// # Transformer multistage
//
// multistage: split build tools out of the final image into a build stage
//
// Level: info.
//
// A split is advice: its fix is unsafe, and many findings have none.
//
// A final stage (the only stage of a file, or the last one) that keeps
// build tools and runs a build ships the tools, their headers and their
// vulnerabilities. Build tools are packages that only a build needs
// (build-essential, gcc, make, cmake, autotools, pkg-config, *-dev headers,
// golang, cargo, rustc, OCaml and dune, a JDK, maven, gradle, npm,
// node-gyp, git, pip and venv; a package removed again in the stage does
// not count) and toolchain images (golang, rust, gcc, buildpack-deps,
// node, python, maven, gradle, a JDK, the .NET SDK). A build is make,
// cmake, ninja, meson, configure, a compiler, go build or install, cargo
// build or install, dune build or install, javac, jar, mvn, gradle,
// npm/yarn/pnpm run build, tsc, pip install ., setup.py, perl
// Makefile.PL, dpkg-buildpackage, dotnet publish; npm ci, pip, gem, bundle
// and cpanm installs count when a compiler is present, since they may
// compile native code. Only both together make a finding.
//
// The fix, applied with --unsafe-fixes, keeps the stage's bytes, names it
// "build" (or builder, build-stage, build2...: a name no stage, FROM or
// --from uses; a named stage keeps its name) and appends a final stage
// that a person would write:
//
//	FROM debian:bookworm                       FROM debian:bookworm AS build
//	RUN apt-get update && apt-get install \    RUN apt-get update && apt-get install \
//	    -y cmake g++ make libjansson-dev           -y cmake g++ make libjansson-dev
//	WORKDIR /src                               WORKDIR /src
//	COPY . .                                   COPY . .
//	RUN cmake -B build && cmake --build build \ RUN cmake -B build && cmake --build build \
//	 && cmake --install build                   && cmake --install build && DESTDIR=/staging cmake --install build
//	CMD ["greeter"]
//	                                           FROM debian:bookworm
//	                                           RUN apt-get update \
//	                                            && apt-get install -y --no-install-recommends \
//	                                               libjansson4 \
//	                                            && rm -rf /var/lib/apt/lists/*
//	                                           COPY --from=build /staging/ /
//	                                           COPY --from=build /src /src
//	                                           WORKDIR /src
//	                                           CMD ["greeter"]
//
// The final stage holds, in order: FROM the runtime base; the ARG and ENV
// instructions the install needs; at most one RUN that installs the
// run-time packages by name; one RUN with the commands that created users
// and groups in the build, copied (not /etc/passwd or /etc/shadow); the
// COPY --from lines of the artifacts (--chown when the build gave a path
// to a user); RUN ldconfig when the build ran it; and the instructions
// taken over from the build, in their order. No generated shell logic.
//
// Runtime base: the build's own image, as written, when the tools came
// from the package manager, except that an official debian image moves
// to its slim variant of the same tag (debian:bookworm to
// debian:bookworm-slim: the same release and packages without
// documentation, man pages and translations); for a toolchain image, an entry of a table
// (internal/runtimebase, overridable in the configuration's
// runtime-bases): golang, rust and gcc to debian:X-slim, node:X to
// node:X-slim, python:X to python:X-slim, Maven and Gradle images to
// eclipse-temurin:N-jre, the .NET SDK to the ASP.NET runtime.
//
// Run-time packages are named at rewrite time from the Debian package
// metadata dockmend ships (internal/debmeta, generated from Debian's
// package indices for bookworm and trixie): a -dev package becomes the
// libraries its artifacts link to (libjansson-dev -> libjansson4),
// compilers and build systems become nothing, a JDK its JRE; packages the
// stage installs that are not build tools (curl, tzdata, libjson-xs-perl)
// stay as written, and the interpreter of the artifacts (python3 for what
// pip installs, nodejs, perl, ruby, a JRE) is added when a package
// brought it. python3 installed only for node-gyp is dropped. Packages
// every image of the release has are left out, and ca-certificates,
// netbase and tzdata that the original image had through recommendations
// are added. The release comes from the runtime base's tag (bookworm,
// -slim-trixie, debian:12), a tag the lock file pinned to its digest, or
// the configuration's releases; for an official Debian-based image whose
// tag does not say, every shipped release must agree. Without metadata
// (Ubuntu, older Debian, Alpine) a build whose -dev packages need naming
// gets no fix. The packages can come from elsewhere (Options.Packages).
//
// Artifacts are what the build writes, read from the commands with
// mvdan.cc/sh: install steps (make install after a configure step, cmake
// --install, ninja install, meson install, dune install, ./Build install)
// run a second time into /staging with DESTDIR, right after themselves, so
// that the final stage copies everything they install, in /etc or
// /usr/share too
// (a RUN before the first makes in /staging the directory links the runtime
// base has, /usr/local/man and on merged-/usr releases /bin, /sbin and
// /lib, which the copy would otherwise meet as directories);
// make install from a hand-written Makefile is staged the same way (into
// a staging directory made first, as the Makefile may ignore DESTDIR) and
// its prefix is copied too; go build
// -o, go install (GOBIN, GOPATH/bin), cargo install --root, the directory
// of make, cargo build and mvn, gcc -o, javac -d, jar --file, a
// virtualenv, pip install (site-packages and the scripts), gem and cpanm
// installs, npm install -g, dotnet publish -o, the files cp, mv, install,
// ln, mkdir, curl -o, wget -O, tar and unzip write (named one by one in a
// system directory: tar xJC /usr/bin with named members), in-place edits,
// and every COPY and ADD destination. Nothing under /tmp, caches or RUN
// --mount targets counts, and what a later rm deletes is forgotten.
//
// The runtime instructions move to the new stage with the comment lines
// above them: CMD, ENTRYPOINT, EXPOSE, VOLUME, LABEL, HEALTHCHECK,
// STOPSIGNAL, MAINTAINER and ONBUILD. ENV, WORKDIR, USER and SHELL move
// when no RUN, COPY or ADD follows them, and are copied otherwise; ARGs
// that the final stage uses are copied. The output keeps the file's line
// endings, escape token and keyword case. The fix is isolated: it is
// applied alone, so that the other rules (apt, pin) then see a build
// stage and a final stage.
//
// Where a fix would be a guess the finding says why and has no fix: the
// stage starts from another stage; no runtime base is known; the stage
// uses apk, dnf or zypper; there is no CMD or ENTRYPOINT; the image runs a
// build tool (go run, mvn, dotnet run) or, on a toolchain image, a script
// or a tool the runtime base may lack; CMD is invalid JSON; a RUN cannot
// be read or a path uses a variable of unknown value; the build writes
// into / or a system directory as a whole (an archive into /usr/bin); a
// local .deb is installed (dpkg -i, also through find -exec or xargs);
// the build decides its own packages (apt-mark manual); pip, gem or cpanm
// install where an unknown base image's environment says (a virtualenv on
// its PATH); poetry or pipenv install into their cache; a program the
// image runs may come from a script; the run-time packages cannot be
// named. Windows images (a Windows base, a PowerShell or cmd SHELL, the
// backtick escape) are never split onto a Linux base.
//
// The rule reads at most 128 KiB of stages (the final stage and those it
// builds on; the largest file of the test corpus has 25 KB): above that
// it reports, without a fix, that the final image may keep build tools
// and was not analysed.
//
// Running the rule again on its output reports nothing: the new final
// stage has no build tools and no build.
package multistage
