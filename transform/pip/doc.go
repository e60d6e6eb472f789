// Package pip defines a transformer for pip installs in RUN instructions.
//
// # Transformer pip
//
// pip: install with pip install --no-cache-dir
//
// Level: warning.
//
// As hadolint grades DL3042.
//
// The rule reads the shell program of every RUN (shell form, and RUN <<EOF
// heredoc bodies) and of ONBUILD RUN triggers. "pip install" without
// --no-cache-dir gets " --no-cache-dir" right after "install" (DL3042):
// otherwise pip keeps every downloaded file and built wheel under
// ~/.cache/pip, and they stay in the layer. What gets installed is the
// same. pip, pip3, pip3.12, a pip by path (/opt/venv/bin/pip), and
// "python -m pip" (python3, python3.12, by path) are recognised, after sudo,
// env and VAR=value prefixes; pip's global options may come before
// install. Installing into a virtualenv is treated the same: the flag is
// harmless there. In "pip -- install x" pip still runs install but reads
// every word after the "--" as a requirement, so --no-cache-dir (a general
// option too) goes before the "--".
//
// Nothing is added when:
//
//   - the command has --no-cache-dir (in any form) or --cache-dir (a cache
//     is asked for);
//   - PIP_NO_CACHE_DIR is set: by an ENV or ARG earlier in the stage or in
//     a stage it builds FROM (for an ONBUILD trigger: anywhere in its
//     stage), or anywhere in the RUN's program (VAR=value prefix, export);
//     pip reads it as --no-cache-dir, whatever the value (hadolint only
//     trusts true values; older pips read even "false" as "no cache");
//   - the RUN has a cache or tmpfs mount on /root/.cache/pip, on a parent
//     of it, or on any .cache or .cache/pip directory (another user's
//     home), because the cache is wanted there;
//   - the stage's files do not end up in an image: only the last stage,
//     stages that a later FROM builds on and ONBUILD triggers are changed
//     (hadolint checks every stage).
//
// With "cache-mounts: true" in .dockmend.yaml, a RUN that runs as root (no
// USER before it names another user) and not through sudo gets a BuildKit
// cache mount over /root/.cache/pip instead of --no-cache-dir (one per
// RUN): the cache stays between builds and out of the image.
//
// pipx, pipenv, "uv pip" and "pip download" or "pip wheel" are not
// changed. A pip install inside an if, a loop, a case, a subshell, a { }
// group, a function or a command substitution is reported without a fix.
// Exec-form RUNs, RUNs under a PowerShell or cmd SHELL, and Windows images
// are never edited.
//
// Before:
//
//	FROM python:3.12-slim
//	RUN pip install -r requirements.txt
//
// After "dockmend fix":
//
//	FROM python:3.12-slim
//	RUN pip install --no-cache-dir -r requirements.txt
package pip
