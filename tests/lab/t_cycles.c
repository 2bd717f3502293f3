/*
 * Attach and detach, again and again: each of CYCLES cycles attaches the
 * driver, waits for discovery of the three disks, writes and reads a
 * block, and takes everything down.  After every detach the process must
 * hold what it held before the first attach: the same kmem bytes and
 * buffers (DMA, access and interrupt handles are kmem; so are the
 * driver's soft state and target structures), the same DMA arena pages
 * (rings and packet pages), the same threads (interrupt, task queue and
 * timeout threads) and the same file descriptors (interrupt eventfds).
 * Only the first cycle may leave something behind, and only what the
 * fakekernel creates once, on first use (its completion threads, the
 * DMA arena's small-object slabs): kmem must be back where it was.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0 and
 * null disks at targets 1 and 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <sys/sunddi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"

#define	CYCLES		20

static const char *uas[] = { "0,0", "1,0", "2,0" };

/* One cycle's work between attach and detach; 0 when all went well. */
static int
cycle_io(int cycle, char *why, size_t whylen)
{
	uchar_t *buf = fk_scsi_buf_alloc(4096);
	fk_lun_t *lun;
	int err = 0;

	for (size_t i = 0; i < sizeof (uas) / sizeof (uas[0]); i++) {
		if ((lun = drv_lun(0, uas[i], 10)) == NULL) {
			(void) snprintf(why, whylen, "LUN %s not found",
			    uas[i]);
			err = -1;
			goto out;
		}
		fk_scsi_lun_rele(lun);
	}
	lun = drv_lun(0, "0,0", 10);
	lio_fill(buf, 4096, (uint64_t)cycle * 4096, cycle + 1);
	if ((err = fk_scsi_write(lun, (uint64_t)cycle * 8, 8, buf, NULL)) ==
	    0) {
		(void) memset(buf, 0, 4096);
		err = fk_scsi_read(lun, (uint64_t)cycle * 8, 8, buf, NULL);
	}
	if (err != 0 || lio_verify(buf, 4096, (uint64_t)cycle * 4096,
	    cycle + 1) >= 0) {
		(void) snprintf(why, whylen, "I/O error %d or bad data", err);
		err = -1;
	}
	fk_scsi_lun_rele(lun);
out:
	fk_scsi_buf_free(buf, 4096);
	return (err);
}

static int
res_same(const lio_res_t *a, const lio_res_t *b)
{
	return (a->lr_kmem_bytes == b->lr_kmem_bytes &&
	    a->lr_kmem_bufs == b->lr_kmem_bufs &&
	    a->lr_arena_used == b->lr_arena_used &&
	    a->lr_threads == b->lr_threads && a->lr_fds == b->lr_fds);
}

static void
res_note(const char *what, const lio_res_t *r)
{
	drv_note("%s: kmem %lld bytes in %lld buffers, DMA arena %zu bytes, "
	    "%d threads, %d fds", what, (long long)r->lr_kmem_bytes,
	    (long long)r->lr_kmem_bufs, r->lr_arena_used, r->lr_threads,
	    r->lr_fds);
}

/* The names of the process's threads, for the record. */
static void
threads_note(const char *what)
{
	char names[1024] = "", path[320], comm[32];
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	FILE *f;

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		(void) snprintf(path, sizeof (path), "/proc/self/task/%s/comm",
		    e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof (comm), f) != NULL) {
			comm[strcspn(comm, "\n")] = '\0';
			(void) strncat(names, " ", sizeof (names) -
			    strlen(names) - 1);
			(void) strncat(names, comm, sizeof (names) -
			    strlen(names) - 1);
		}
		(void) fclose(f);
	}
	if (d != NULL)
		(void) closedir(d);
	drv_note("threads %s:%s", what, names);
}

int
main(void)
{
	lio_res_t base, first, r;
	char why[128] = "";
	int attached = 0, io_ok = 0, detached = 0, kmem_same = 0, same = 0;
	int first_bad = -1, err, c;
	double t0;

	err = drv_load();
	if (!CHECK("load", err == 0, "expected 0, saw %d", err))
		return (check_exit());
	lio_res_get(&base);
	res_note("before the first attach", &base);
	threads_note("before the first attach");
	first = base;
	t0 = lio_now();
	for (c = 0; c < CYCLES; c++) {
		if (drv_attach() != 1)
			break;
		attached++;
		if (cycle_io(c, why, sizeof (why)) == 0)
			io_ok++;
		if (drv_detach() != 0)
			break;
		detached++;
		lio_res_get(&r);
		if (c == 0) {
			first = r;
			res_note("after the first detach", &r);
			threads_note("after the first detach");
		}
		if (r.lr_kmem_bytes == base.lr_kmem_bytes &&
		    r.lr_kmem_bufs == base.lr_kmem_bufs)
			kmem_same++;
		if (res_same(&r, &first) && r.lr_fds == base.lr_fds) {
			same++;
		} else if (first_bad < 0) {
			first_bad = c;
			res_note("after the first detach that differed", &r);
			threads_note("after the first detach that differed");
		}
	}
	drv_note("%d cycles in %.1f s", c, lio_now() - t0);
	lio_res_get(&r);
	res_note("after the last detach", &r);
	CHECK("attach-every-cycle", attached == CYCLES,
	    "expected %d attaches, saw %d", CYCLES, attached);
	CHECK("discover-and-io-every-cycle", io_ok == CYCLES,
	    "expected %d cycles with 3 LUNs and good I/O, saw %d (%s)",
	    CYCLES, io_ok, why);
	CHECK("detach-every-cycle", detached == CYCLES,
	    "expected %d detaches, saw %d", CYCLES, detached);
	CHECK("kmem-back-after-each-detach", kmem_same == CYCLES,
	    "expected the kmem bytes and buffers of before the first attach "
	    "after each of %d detaches, saw them after %d", CYCLES,
	    kmem_same);
	CHECK("no-growth-after-each-detach", same == CYCLES,
	    "expected the DMA arena, threads and fds of the first detach "
	    "(and the fds of before the first attach) after each of %d "
	    "detaches, saw them after %d (first difference after cycle %d)",
	    CYCLES, same, first_bad + 1);
	lio_check_clean("cycles");
	drv_unload();
	return (check_exit());
}
