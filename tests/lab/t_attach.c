/*
 * Attach and discovery: the driver attaches to the PVSCSI function, every
 * disk of the topology is discovered with the right inquiry data and
 * capacity, a block written through the driver lands in the backing file,
 * no console line is printed, and detach takes everything down.
 *
 * Topology (tests/lab/suites): hba0 with a 64 MiB raw file at target 0
 * and 1 GiB null disks at targets 1 and 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <sys/sunddi.h>

#include "check.h"
#include "lib/drv.h"

static const struct {
	const char	*ua;
	uint64_t	nblocks;
} expect[] = {
	{ "0,0", 64ULL * 1024 * 1024 / 512 },
	{ "1,0", 1024ULL * 1024 * 1024 / 512 },
	{ "2,0", 1024ULL * 1024 * 1024 / 512 },
};

static void
check_lun(int i)
{
	char name[64];
	fk_lun_info_t li;
	fk_lun_t *lun = drv_lun(0, expect[i].ua, 10);

	(void) snprintf(name, sizeof (name), "discover-%s", expect[i].ua);
	if (!CHECK(name, lun != NULL, "expected LUN %s, found none",
	    expect[i].ua))
		return;
	(void) fk_scsi_lun_info(lun, &li);
	(void) snprintf(name, sizeof (name), "inquiry-%s", expect[i].ua);
	CHECK(name, strcmp(li.li_vid, "QEMU") == 0 &&
	    strcmp(li.li_pid, "QEMU HARDDISK") == 0 && li.li_dtype == 0,
	    "expected QEMU/QEMU HARDDISK type 0, saw '%s'/'%s' type %u",
	    li.li_vid, li.li_pid, li.li_dtype);
	(void) snprintf(name, sizeof (name), "capacity-%s", expect[i].ua);
	CHECK(name, li.li_cap_valid && li.li_nblocks == expect[i].nblocks &&
	    li.li_blksize == 512,
	    "expected %llu blocks of 512, saw %llu of %u (valid %d)",
	    (unsigned long long)expect[i].nblocks,
	    (unsigned long long)li.li_nblocks, li.li_blksize, li.li_cap_valid);
	fk_scsi_lun_rele(lun);
}

/* Write a block through the driver and find it in the backing file. */
static void
check_backing_file(void)
{
	const char *out = getenv("LAB_OUT");
	char path[512];
	uchar_t *buf = fk_scsi_buf_alloc(4096);
	uchar_t file[4096];
	fk_lun_t *lun = drv_lun(0, "0,0", 10);
	int fd, err;

	for (int i = 0; i < 4096; i++)
		buf[i] = (uchar_t)(i * 7 + 13);
	err = lun == NULL ? -1 : fk_scsi_write(lun, 100, 8, buf, NULL);
	CHECK("write-0,0", err == 0, "expected 0, saw %d", err);
	(void) snprintf(path, sizeof (path), "%s/disk-0-0.img",
	    out != NULL ? out : ".");
	fd = open(path, O_RDONLY);
	memset(file, 0, sizeof (file));
	if (fd >= 0) {
		(void) pread(fd, file, sizeof (file), 100 * 512);
		(void) close(fd);
	}
	CHECK("backing-file", fd >= 0 && memcmp(file, buf, 4096) == 0,
	    "expected the written block at LBA 100 of %s", path);
	memset(buf, 0, 4096);
	err = lun == NULL ? -1 : fk_scsi_read(lun, 100, 8, buf, NULL);
	CHECK("read-0,0", err == 0 && memcmp(file, buf, 4096) == 0,
	    "expected the block back, err %d", err);
	if (lun != NULL)
		fk_scsi_lun_rele(lun);
	fk_scsi_buf_free(buf, 4096);
}

int
main(void)
{
	int err;

	drv_start();
	for (size_t i = 0; i < sizeof (expect) / sizeof (expect[0]); i++)
		check_lun((int)i);
	check_backing_file();
	CHECK("no-console-lines", drv_console_lines() == 0,
	    "expected none, saw %u", drv_console_lines());
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}
