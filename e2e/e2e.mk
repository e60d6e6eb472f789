# e2e.mk - real image builds before and after `dockmend fix` (see e2e/README.md).
# Included from the Makefile. Needs root on Debian 12; elsewhere the targets skip with a
# message, except with CI=true, where a missing prerequisite is a failure.
#
#   make e2e                                 every fixture under testdata/e2e
#   make e2e FIXTURES="c-make apt-runs"      some fixtures
#   make e2e-ci                              the CI subset, then teardown
#   make e2e-docs                            every fixture with dockmend built from HEAD (a commit, not the
#                                            work tree); the report goes to docs/e2e-results.{md,json}
#   make e2e-base                            dockmend base on the real base images (sizes, packages, EOL)
#   make e2e-image                           build dockmend's own image (the repository's Dockerfile) and
#                                            smoke-test it
#   make e2e-setup / make e2e-teardown       set up what is missing / stop the registry and unmount
#   make e2e-teardown PURGE=1                also delete the work directory
# DOCKMEND=path uses that binary instead of building ./cmd/dockmend; E2E_WORK moves the work directory.

E2E_CI_FIXTURES ?= apt-runs shell-curl c-make py-cext

.PHONY: e2e e2e-setup e2e-teardown e2e-ci e2e-docs e2e-base e2e-image

e2e-setup:
	bash e2e/setup.sh

e2e:
	FIXTURES="$(FIXTURES)" bash e2e/run.sh

e2e-ci:
	@rc=0; FIXTURES="$(E2E_CI_FIXTURES)" bash e2e/run.sh || rc=$$?; bash e2e/teardown.sh || true; exit $$rc

e2e-docs:
	FIXTURES= E2E_REPORT_DIR=docs E2E_DOCKMEND_REV=$${E2E_DOCKMEND_REV:-HEAD} bash e2e/run.sh

## e2e-base: dockmend base on the harness's real images: sizes, package counts, EOL dates (e2e/base.sh)
e2e-base:
	bash e2e/base.sh

## e2e-image: build dockmend's container image from the repository's Dockerfile and smoke-test it (e2e/image.sh)
e2e-image:
	bash e2e/image.sh

e2e-teardown:
	bash e2e/teardown.sh $(if $(PURGE),--purge)
