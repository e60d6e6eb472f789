// Package apt defines a transformer that tidies apt-get usage in RUN
// instructions.
//
// # Transformer apt
//
// apt: run apt-get non-interactively, keep update with install, and remove the package lists
//
// Level: warning; DL3009, DL3015: info.
//
// The levels are hadolint's for its checks; a finding without a check id
// (an update in a RUN of its own, an apt subcommand apt-get lacks) is a
// warning.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers, and makes these changes:
//
//   - apt: "apt" in command position becomes "apt-get" (DL3027): apt's
//     command line is meant for people and may change between releases.
//     "apt full-upgrade" becomes "apt-get dist-upgrade". "apt upgrade"
//     becomes "apt-get upgrade" only as an unsafe fix, because apt-get
//     holds back upgrades that need new packages where apt installs them.
//     Subcommands apt-get does not have (list, search, show) are reported
//     without a fix.
//
//   - -y: apt-get install, upgrade, dist-upgrade, remove, purge,
//     autoremove, build-dep and satisfy without -y get "-y" right after
//     the subcommand (DL3014). Without it apt-get stops at its
//     confirmation prompt, which a build cannot answer, so the build
//     fails. -y, --yes, --assume-yes, -qq (quiet level 2 implies -y) and
//     "-o APT::Get::Assume-Yes=true" count, in any position, in a cluster
//     ("-qy") too. This applies in every stage. Options after a "--" do
//     not count: "apt-get -- install -y x" installs a package named -y.
//     When a "--" comes before the subcommand, -y and
//     --no-install-recommends go before the "--".
//
//   - --no-install-recommends: apt-get install without it gets it, as an
//     unsafe fix (DL3015), because it changes what is installed: curl
//     recommends ca-certificates, and without them HTTPS downloads fail
//     later. So when the install names curl, wget or git and not
//     ca-certificates, the same fix adds ca-certificates to the list, and
//     when it names a C compiler (gcc, g++, clang, cc, a versioned one
//     such as gcc-12) and not libc6-dev, which gcc only recommends and
//     without which nothing compiles, it adds libc6-dev (not when the list
//     has a variable; build-essential depends on it). When it names npm
//     or node-gyp and the stage runs npm, npx, yarn, pnpm or node-gyp (in
//     that RUN or a later one), it adds build-essential: Debian's npm
//     depends on node-gyp, which builds native addons with the compilers
//     and make it only recommends (not when make and a C++ compiler are
//     listed; build-essential then stands in for libc6-dev). When the
//     stage runs make, a configure script or phpize (in that RUN or a
//     later one) and the list names neither make nor build-essential, it
//     adds make, which usually came with recommended packages (php-dev
//     recommends pkg-php-tools, which brings debhelper and make). Apply it with
//     --unsafe-fixes and test the image. Only stages whose files end up
//     in an image are reported (the last stage, stages a later FROM
//     builds on, ONBUILD triggers): in a build stage whose files are
//     copied, recommended packages cost no image space, and leaving them
//     out only risks the build.
//
//   - update merge: a RUN that is only "apt-get update" is merged into the
//     next RUN of the same stage when that RUN installs: the lone RUN is
//     deleted (its lines with their line endings) and "apt-get update && "
//     is put before the installing RUN's command. Apart, the update layer
//     stays cached while the install line changes, and installs then fail
//     on stale lists. The merge happens only when it keeps the meaning:
//     only LABEL, ENV or ARG (not proxy or APT settings), WORKDIR, EXPOSE,
//     CMD, ENTRYPOINT, HEALTHCHECK, STOPSIGNAL, SHELL, ONBUILD or
//     MAINTAINER instructions stand between the two; both RUNs have the
//     same --mount/--network flags; the lone RUN holds no comment (a
//     comment line inside its continuation, or a shell comment); no
//     "ignore=" pragma sits above it; and the installing RUN's program is
//     one statement that is not the left side of "||" (or starts with set
//     -e), so that a failing update still fails the build. Comments above
//     the lone RUN are kept where they are. Otherwise the finding is
//     reported without a fix.
//
//   - lists: the package lists that apt-get update downloads to
//     /var/lib/apt/lists (about 20 MB for Debian) are removed at the end of
//     every RUN that leaves them, by appending " && rm -rf
//     /var/lib/apt/lists/*" to its last statement (DL3009), so that no
//     layer keeps them: removing them in a later RUN would only hide them.
//     In a heredoc the cleanup is appended with && too, not as a new line:
//     a script without set -e would then exit 0 even when its last command
//     failed. After an if, case, loop, subshell or { } group that ends the
//     RUN, the cleanup follows the compound ("...; fi && rm -rf ..."),
//     which keeps its exit status. When apt-get runs through sudo (the
//     build user is not root), so does the rm.
//
//     Every installing RUN cleans up after itself. A later RUN of the
//     stage (or the first of a stage built FROM it) that installs from the
//     lists an earlier RUN left would fail once they are gone, so it is
//     changed too, one of two ways. When it directly follows that RUN (on the
//     next line, the same flags, no comment or ignore pragma, neither
//     changing the shell's state with cd, export, set or the like, shell
//     form, one statement that is not an || list), it is merged into
//     it: its program joins the earlier one after " && \" on a new line,
//     in the RUN's own style (a leading "&&" when the RUN uses it), and one
//     cleanup at the end serves both. Otherwise it gets an apt-get update
//     of its own in front (with the options of the update the lists came
//     from, through sudo when its install runs through sudo; after "set
//     -e" in a RUN of several statements) and its own cleanup. Each fix
//     carries the updates its cleanup needs, so any subset of the fixes
//     is safe. A fresh update may pick newer versions of the same
//     packages, which is what Docker's guidance asks for, and a failing
//     update fails the build. When an instruction between would change
//     what the moved update does (a COPY or ADD into /etc/apt, /, . or a
//     variable; an ENV or ARG of a proxy, APT setting or PATH), the fix is
//     unsafe. An install with no update before it in the stage (it runs
//     on the base image's lists, or on none after a RUN removed them) gets
//     an update of its own the same way. A RUN that cannot take an update
//     (several statements without set -e, an exec-form RUN) blocks the
//     earlier RUN's fix, and gets the cleanup itself.
//
//     A RUN that is only apt-get update, whose lists the next RUN that
//     touches them updates again, is deleted instead (at the end of a
//     stage it gets the cleanup, so that a failing update still fails the
//     build). Nothing is added when the RUN already removes the lists
//     after its update: rm (any flags) of /var/lib/apt/lists or a parent,
//     find ... -delete there, apt-get dist-clean, or a program given as a
//     string that does; when the RUN has a cache or tmpfs mount on
//     /var/lib/apt/lists or a parent (removing them would empty the cache,
//     and they are not in the image anyway); or when the stage's files do
//     not end up in an image: only the last stage, stages that a later
//     FROM builds on and ONBUILD triggers are cleaned.
//
//     Scripts: a later RUN (before the lists are updated or removed again)
//     that runs a script that may read them (./setup.sh, bash x.sh, a
//     script piped from a file) blocks the safe fix; the cleanup is then
//     an unsafe fix, and the finding names the script. Commands that
//     certainly do not need the lists do not block: source and . (they
//     read settings), programs given as strings (sh -c '...', bash -lc
//     "...", su -c, eval), which are read as programs, variables taken as
//     plain words; installers fetched and run in one command (curl ... |
//     sh, sh -c "$(curl ...)", bash <(wget ...)), which are written for
//     images without lists and update themselves; Go's make.bash; and
//     every other command (echo, chmod, locale-gen, useradd, ln, mkdir,
//     curl and wget downloads, tar, ...).
//
// With "cache-mounts: true" in .dockmend.yaml, a RUN that leaves the
// lists gets cache mounts instead of the cleanup, as Docker's
// documentation shows:
//
//	RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
//	    --mount=type=cache,target=/var/lib/apt,sharing=locked \
//	    apt-get update && apt-get install -y --no-install-recommends curl
//
// The lists then stay in the build cache, out of the image. Later
// installing RUNs still get their own update (the cache may be empty when
// one layer is rebuilt alone). It needs BuildKit; the Debian and Ubuntu
// images' docker-clean setting still deletes the downloaded .debs, so the
// /var/cache/apt mount mostly helps other bases. ONBUILD triggers get the
// cleanup.
//
// Other commands inside an if, a loop, a case, a subshell, a { } group, a
// function or a command substitution get -y and --no-install-recommends
// only as findings without a fix, and so is a cleanup for a RUN that ends
// with a background command ('&'), exit or a here-document. "xargs
// apt-get" and commands named through variables are not recognised. sudo,
// env and VAR=value prefixes are understood. Exec-form RUNs are read but
// never edited; RUNs under a PowerShell or cmd SHELL, and Windows images,
// are never edited.
//
// Findings carry hadolint's codes, so "# hadolint ignore=DL3009" above a
// RUN suppresses its cleanup and "# dockmend ignore=apt" everything.
//
// Before:
//
//	FROM debian:12
//	RUN apt-get update
//	RUN apt install curl
//	RUN apt-get install -y git
//	COPY motd /etc/motd
//	RUN apt-get install -y jq
//
// After "dockmend fix" (and with --unsafe-fixes, "--no-install-recommends"
// after "install" too):
//
//	FROM debian:12
//	RUN apt-get update && apt-get install -y curl && \
//	    apt-get install -y git && rm -rf /var/lib/apt/lists/*
//	COPY motd /etc/motd
//	RUN apt-get update && apt-get install -y jq && rm -rf /var/lib/apt/lists/*
package apt
