# make export GATE=/path/to/illumos-gate
#	Copy usr/src into an illumos-gate checkout and hook the pvscsi
#	module into its build: uts/common/Makefile.files and Makefile.rules,
#	the intel and aarch64 module lists, the man4d Makefile.  Running it
#	again changes nothing; a path that is not a gate is refused.  See
#	tests/lint/export.sh for what is changed where.

GATE	?=

.PHONY: export
export:
	@sh tests/lint/export.sh "$(GATE)"
