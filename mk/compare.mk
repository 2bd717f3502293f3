# make compare [PEERS=dir]
#	Our driver and every other pvscsi driver in PEERS (each subdirectory
#	holding pvscsi.c; default ../shared/peers when it exists), built
#	unmodified against the fakekernel, through the black-box scenarios
#	with strict and coherent DMA and a short bench; Markdown tables in
#	build/compare/results.md (also on stdout), its gist in
#	build/compare/summary.  Fails when our driver fails a black-box
#	scenario or a driver does not build (compare/verdict.awk).  See
#	compare/compare.sh.

PEERS		?= $(wildcard ../shared/peers)

.PHONY: compare
# The build's output goes to stderr: stdout carries the report only.
compare:
	@$(MAKE) --no-print-directory all bench-tools >&2
	@sh compare/compare.sh $(PEERS)
