// Package apt defines a transformer that tidies apt-get usage in RUN
// instructions.
//
// # Transformer apt
//
// apt: run apt-get non-interactively, keep update with install, and remove the package lists
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
//   - --no-install-recommends: apt-get install without it gets it, as an
//     unsafe fix (DL3015), because it changes what is installed: curl
//     recommends ca-certificates, and without them HTTPS downloads fail
//     later. So when the install names curl, wget or git and not
//     ca-certificates, the same fix adds ca-certificates to the list, and
//     when it names a C compiler (gcc, g++, clang, cc, a versioned one
//     such as gcc-12) and not libc6-dev, which gcc only recommends and
//     without which nothing compiles, it adds libc6-dev (not when the list
//     has a variable; build-essential depends on it). Apply it with
//     --unsafe-fixes and test the image. Only stages whose files end up
//     in an image are reported (the last stage, stages a later FROM
//     builds on, ONBUILD triggers): in a build stage whose files are
//     copied, recommended packages cost no image space, and leaving them
//     out only risks the build.
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
//   - lists: the package lists that apt-get update downloads to
//     /var/lib/apt/lists are removed at the end of the RUN that leaves
//     them, by appending " && rm -rf /var/lib/apt/lists/*" to its last
//     statement (DL3009). In a heredoc the cleanup is appended with &&
//     too, not as a new line: a script without set -e would then exit 0
//     even when its last command failed. When a later RUN of the stage
//     uses the lists (installs without updating first), the cleanup goes
//     to the last such RUN instead, since removing them earlier would
//     break it. A RUN that is only apt-get update, whose lists the next
//     RUN that touches them updates again before using them, is deleted
//     instead (at the end of a stage it gets the cleanup, so that a
//     failing update still fails the build). When apt-get runs through
//     sudo (the build user is not root), so does the rm. Nothing is added
//     when the RUN already removes the lists after its update: rm (any
//     flags) of /var/lib/apt/lists or a parent, find ... -delete there,
//     apt-get dist-clean, or a "sh -c" string that removes them; when
//     the RUN has a cache or tmpfs mount on /var/lib/apt/lists or a parent
//     (removing them would empty the cache, and they are not in the image
//     anyway); or when the stage's files do not end up in an image: only
//     the last stage, stages that a later FROM builds on and ONBUILD
//     triggers are cleaned. When a later RUN runs a shell script (./setup.sh, bash x,
//     curl ... | sh) that may use the lists, the finding has no fix.
//
// Commands inside an if, a loop, a case, a subshell, a { } group, a
// function or a command substitution are reported without a fix, and so
// is a cleanup for a RUN that ends with a background command ('&'), exit
// or a here-document. "xargs apt-get" and commands named through variables
// are not recognised. sudo, env and VAR=value prefixes are understood.
// Exec-form RUNs, RUNs under a PowerShell or cmd SHELL, and files with the
// backtick escape and no POSIX SHELL (Windows images) are never edited.
//
// Findings carry hadolint's codes, so "# hadolint ignore=DL3009" above a
// RUN suppresses its cleanup and "# dockmend ignore=apt" everything.
//
// Before:
//
//	FROM debian:12
//	RUN apt-get update
//	RUN apt install curl
//
// After "dockmend fix" (and with --unsafe-fixes, "--no-install-recommends"
// after "install" too):
//
//	FROM debian:12
//	RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
package apt
