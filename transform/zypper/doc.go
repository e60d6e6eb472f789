// Package zypper defines a transformer for the zypper package manager in
// RUN instructions.
//
// # Transformer zypper
//
// zypper: run zypper non-interactively and clean its cache in the same RUN
//
// Level: warning.
//
// As hadolint grades DL3034 and DL3036.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers, and makes two changes:
//
//   - -n: zypper install (in), remove (rm), update (up), dist-upgrade
//     (dup), patch, source-install (si), install-new-recommends (inr) and
//     verify (ve) without a non-interactive switch get the global option
//     "-n" (--non-interactive) right after "zypper" (DL3034). Without it
//     zypper waits for an answer a build cannot give, and the build fails.
//     -n was chosen over the subcommand's -y (--no-confirm, documented as
//     its alias) because it also covers the other questions zypper may
//     ask and works for every subcommand. The global -n and
//     --non-interactive count only before the subcommand (after it, "-n"
//     means --name for install); -y and --no-confirm count after it. This
//     applies in every stage.
//   - clean: a RUN that installs, updates, patches or refreshes gets
//     " && zypper clean --all" appended to its last statement (DL3036),
//     so that repository metadata and packages do not stay in the layer;
//     --all because zypper keeps no packages by default and the metadata
//     is the bulk. The clean runs only when the RUN succeeded, so a
//     failing build still fails. Nothing is added when "zypper clean" or
//     "zypper cc" (any options), or an rm of /var/cache/zypp (or a
//     parent), follows the last install; when the RUN has a cache or
//     tmpfs mount on /var/cache/zypp; or when the stage's files do not end
//     up in an image: only the last stage, stages that a later FROM builds
//     on and ONBUILD triggers are cleaned. A later zypper in the stage
//     refreshes the metadata it needs, so each RUN is cleaned on its own.
//
// Commands inside an if, a loop, a case, a subshell, a { } group, a
// function or a command substitution are reported without a fix, and so is
// a clean for a RUN that ends with a background command ('&'), exit or a
// here-document. The clean is run the way zypper was (sudo, path). Exec-form
// RUNs, RUNs under a PowerShell or cmd SHELL, and Windows images are never
// edited.
//
// Before:
//
//	FROM opensuse/leap:15.6
//	RUN zypper install curl
//
// After "dockmend fix":
//
//	FROM opensuse/leap:15.6
//	RUN zypper -n install curl && zypper clean --all
package zypper
