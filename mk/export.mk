# make export GATE=/path/to/illumos-gate
#	Copy usr/src into an illumos-gate checkout and hook the pvscsi
#	module into its build as the gate's conventions have it: the
#	common object and rule, the intel (and, with the arm64 port,
#	aarch64) module lists, pvscsi.4d in the per-architecture man page
#	lists, the manifest's architectures in the gate's own form, the
#	driver's directories holding only pvscsi's files, a current
#	copyright line in each gate file edited.  Running it again changes
#	nothing; a path that is not a gate is refused.  See
#	tests/lint/export.sh.
# make patch GATE=/path/to/illumos-gate [SYNOPSIS="NNNNN synopsis"]
#	The same change as a git format-patch file against the gate's
#	HEAD, written to PATCH (build/pvscsi.patch), the gate untouched:
#	an illumos-style message (SYNOPSIS, what changed, and a Testing
#	section from the last make check / make compare / make bench
#	results in build/).  The author is PATCH_AUTHOR="Name <address>"
#	or this repository's git identity.  See tests/lint/patch.sh.

GATE		?=
SYNOPSIS	?= 14783 pvscsi modernization
PATCH		?= $(BUILD)/pvscsi.patch

.PHONY: export patch
export:
	@sh tests/lint/export.sh "$(GATE)"

patch:
	@sh tests/lint/patch.sh "$(GATE)" "$(PATCH)" "$(SYNOPSIS)"
