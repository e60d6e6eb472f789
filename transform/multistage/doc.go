// Package multistage defines a transformer that moves a build out of the
// final image: a deterministic single-stage to multi-stage rewrite.
//
// # Transformer multistage
//
// multistage: split build tools out of the final image into a build stage
//
// A final stage (the only stage of a file, or the last one) that keeps
// build tools and runs a build ships the tools, their headers and their
// vulnerabilities. Build tools are packages that only a build needs
// (build-essential, gcc, make, cmake, autotools, pkg-config, *-dev headers,
// golang, cargo, rustc, a JDK, maven, gradle, npm, git, pip and venv; a
// package removed again in the stage does not count) and toolchain images
// (golang, rust, gcc, buildpack-deps, node, python, maven, gradle, a JDK,
// the .NET SDK). A build is make, cmake, ninja, meson, configure, a
// compiler, go build or install, cargo build or install, javac, jar, mvn,
// gradle, npm/yarn/pnpm run build, tsc, pip install ., setup.py, dotnet
// publish; npm ci and pip install count when a compiler is present, since
// they may compile native code. Only both together make a finding.
//
// The fix, applied with --unsafe-fixes, keeps every original instruction
// that builds in the stage, names it "build" (or builder, build-stage,
// build2...: a name no stage, FROM or --from uses; a named stage keeps its
// name) and appends a new final stage:
//
//	FROM debian:bookworm                 FROM debian:bookworm AS build
//	RUN apt-get update \                 RUN apt-get update \
//	 && apt-get install -y gcc make       && apt-get install -y gcc make
//	WORKDIR /app                         WORKDIR /app
//	COPY . .                             COPY . .
//	RUN make                             RUN make
//	CMD ["./hello"]                      # dockmend: record the packages ...
//	                                     RUN set -e; ... > /tmp/dockmend/packages
//
//	                                     FROM debian:bookworm
//	                                     COPY --from=build /tmp/dockmend/packages ...
//	                                     COPY --from=build /tmp/dockmend/lib/ /usr/local/lib/
//	                                     COPY --from=build /app /app
//	                                     RUN if [ -s /tmp/dockmend-packages ]; then apt-get update ...
//	                                     WORKDIR /app
//	                                     CMD ["./hello"]
//
// The runtime base is the build's own base image, as written (a digest
// stays; the pin rule pins it otherwise), when the tools came from the
// package manager. For a toolchain image it comes from a table
// (internal/runtimebase, overridable in the configuration file):
// golang:X-bookworm and rust and gcc to debian:bookworm-slim, node:X to
// node:X-slim, python:X to python:X-slim, maven:X-eclipse-temurin-17 and
// gradle:X-jdk17 to eclipse-temurin:17-jre, the .NET SDK to the ASP.NET
// runtime. A tag without a Debian release name is taken as bookworm.
// Alpine variants and images without a known runtime get a finding
// without a fix. scratch and distroless are never chosen by default: a
// static binary may still need CA certificates, time zones, /etc/passwd
// or /tmp, which nothing in a Dockerfile proves it does not. A table entry
// may name one anyway; the final stage then only copies artifacts.
//
// What is copied: every path the build writes, read from the commands with
// mvdan.cc/sh: go build -o, go install (GOBIN, GOPATH/bin), cargo install
// --root (or CARGO_HOME/bin), the directory of cargo build, make, cmake
// and mvn, make install DESTDIR= or PREFIX= (else the configure, cmake or
// meson prefix, else /usr/local), cmake --install --prefix, gcc -o, javac
// -d, jar --file, a Python virtualenv, pip install --target/--prefix/--user
// (else the active virtualenv, else /usr/local/bin and
// /usr/local/lib/pythonX.Y), npm install -g, dotnet
// publish -o, and what cp, mv, install, ln, mkdir, touch, curl -o, wget -O,
// tar -C, unzip -d, sed -i, tee and > write (less what rm removes, and
// nothing under /tmp, caches or RUN --mount targets). Every COPY and ADD
// destination is copied too, and every absolute or ./ path that CMD or
// ENTRYPOINT names. Where an output cannot be named, the working directory
// of the build is copied, rather than guessing narrower. A stage that
// creates users also copies /etc/passwd, group, shadow, gshadow and /home;
// one that adds apt sources copies /etc/apt and /usr/share/keyrings. On a
// toolchain image /usr/local is narrowed to bin, etc, lib, sbin and share,
// leaving the toolchain (/usr/local/go) behind.
//
// Run-time packages are derived where they can be known: in the build
// stage, after the build, a RUN runs ldd over the artifacts' executables
// and shared objects (*.so, *.node) and asks dpkg which package owns each
// library (the path as ldd prints it, its real path and its /usr-merged
// twin; the architecture suffix is dropped); it does the same for symlinks
// that leave the artifacts (a virtualenv's python) and for the commands
// CMD, ENTRYPOINT and HEALTHCHECK run (command -v); such a program that no
// package owns, in /usr/bin, /usr/sbin, /bin, /sbin, /usr/lib or
// /usr/libexec, was installed by the build and is copied to the same path.
// It adds
// ca-certificates, netbase and tzdata when the build stage has them, every
// package the stage installed that is not a build tool (with its version
// pin), the JRE matching an installed JDK, and the shared-library packages
// that dropped -dev packages depend on (for what is loaded with dlopen).
// python3.X-minimal becomes python3.X. Libraries no package owns (a
// toolchain image's own libstdc++, say) are copied to /usr/local/lib. The
// owner and mode of each copied path are recorded and restored, since
// COPY --from makes a copied directory root's. The
// final stage copies the list, installs it with apt-get
// --no-install-recommends, removes the lists and runs ldconfig. So only
// Debian and Ubuntu images (apt) get a fix.
//
// The runtime instructions move to the new stage, in order, with the
// comment lines above them: CMD, ENTRYPOINT, EXPOSE, VOLUME, LABEL,
// HEALTHCHECK, STOPSIGNAL, MAINTAINER and ONBUILD. ENV, WORKDIR, USER and
// SHELL move when no RUN, COPY or ADD follows them, and are copied
// otherwise, since the build needs them too; ARGs that what the final
// stage holds uses are copied. The output keeps the file's line endings,
// escape token and keyword case.
//
// Where a fix would be a guess the finding says why and has no fix: the
// stage starts from another stage; no runtime base is known; the stage
// uses apk, dnf or zypper; there is no CMD or ENTRYPOINT (a build
// environment image); the image runs a tool only the toolchain image has
// (go run, mvn, dotnet run); a RUN cannot be read (exec form aside) or an output path
// uses a variable of unknown value; the build writes to /, or installs
// into /usr or / (make install PREFIX=/usr); a local .deb is
// installed; poetry or pipenv install into their cache.
//
// The rule reads at most 128 KiB of stages (the final stage and those it
// builds on; the largest file of the test corpus has 25 KB): above that
// it reports, without a fix, that the final image may keep build tools
// and was not analysed.
//
// Not seen: files a script (./build.sh) writes outside its directory,
// libraries loaded with dlopen that no dropped -dev package depends on,
// and programs an entrypoint script runs that come from a build tool.
// Running the rule again on its output reports nothing: the new final
// stage has no build tools and no build.
package multistage
