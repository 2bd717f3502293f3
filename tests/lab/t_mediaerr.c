/*
 * Media errors injected by blkdebug arrive as CHECK CONDITION with the
 * sense QEMU's scsi-disk builds for the backend's errno (it reports the
 * error to the initiator: rerror=report, werror=report for EIO):
 *
 *   EIO (5)		ABORTED COMMAND (0Bh), ASC 00h, ASCQ 06h: "I/O process
 *			terminated", QEMU's default for an errno it does not
 *			map to anything more precise;
 *   ENODATA (61)	MEDIUM ERROR (03h), ASC 11h, ASCQ 00h: "unrecovered
 *			read error".
 *
 * For each: one command (no retry) reading (or writing) the bad sector
 * ends CMD_CMPLT with status CHECK CONDITION, STATE_GOT_STATUS and
 * STATE_ARQ_DONE, exactly that sense and nothing transferred (pkt_resid
 * the whole length); so does one spanning it; the sectors around it read
 * (or write) fine; sd-like I/O gives up with EIO after its retries.
 * Every packet completed once, no console line.
 *
 * Topology (tests/lab/suites): hba0 with blkdebug disks of 16 MiB at
 * target 1 (reads of sector 8 fail, EIO), target 2 (the same, ENODATA)
 * and target 3 (writes of sector 16 fail, EIO).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <sys/sunddi.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"

typedef struct sense {
	uchar_t		key, asc, ascq;
	const char	*what;
} sense_t;

static const sense_t eio_sense = { KEY_ABORTED_COMMAND, 0x00, 0x06,
	"ABORTED COMMAND/00h/06h" };
static const sense_t enodata_sense = { KEY_MEDIUM_ERROR, 0x11, 0x00,
	"MEDIUM ERROR/11h/00h" };

/* One READ(10) or WRITE(10), once. */
static int
rw_once(fk_lun_t *lun, int write, uint64_t lba, uint32_t nblks, void *buf,
    fk_scsi_cmd_t *cmd)
{
	bzero(cmd, sizeof (*cmd));
	fk_scsi_cdb_rw(cmd, write ? FK_SCSI_DIR_WRITE : FK_SCSI_DIR_READ, lba,
	    nblks, 512);
	cmd->sc_buf = buf;
	cmd->sc_timeout = 30;
	return (fk_scsi_cmd(lun, cmd));
}

static void
check_sense(const char *tag, fk_lun_t *lun, int write, uint64_t lba,
    uint32_t nblks, const sense_t *want)
{
	uchar_t *buf = fk_scsi_buf_alloc(nblks * 512);
	fk_scsi_cmd_t cmd;
	fk_scsi_status_t *r = &cmd.sc_res;
	uint_t state = STATE_GOT_STATUS | STATE_ARQ_DONE;
	char name[128];
	int err = rw_once(lun, write, lba, nblks, buf, &cmd);

	drv_note("%s: err %d reason %u status 0x%x state 0x%x statistics "
	    "0x%x resid %zd sense %u bytes: key 0x%x asc 0x%x ascq 0x%x",
	    tag, err, r->ss_reason, r->ss_status, r->ss_state,
	    r->ss_statistics, r->ss_resid, r->ss_senselen, r->ss_key,
	    r->ss_asc, r->ss_ascq);
	(void) snprintf(name, sizeof (name), "%s: CHECK CONDITION, %s", tag,
	    want->what);
	CHECK(name, err == EIO && r->ss_reason == CMD_CMPLT &&
	    (r->ss_status & STATUS_MASK) == STATUS_CHECK &&
	    (r->ss_state & state) == state && r->ss_senselen >= 14 &&
	    r->ss_key == want->key && r->ss_asc == want->asc &&
	    r->ss_ascq == want->ascq && r->ss_statistics == 0 &&
	    r->ss_resid == (ssize_t)nblks * 512,
	    "saw error %d, reason %u, status 0x%x, state 0x%x, statistics "
	    "0x%x, resid %zd, %u sense bytes, key 0x%x asc 0x%x ascq 0x%x",
	    err, r->ss_reason, r->ss_status, r->ss_state, r->ss_statistics,
	    r->ss_resid, r->ss_senselen, r->ss_key, r->ss_asc, r->ss_ascq);
	fk_scsi_buf_free(buf, nblks * 512);
}

static void
check_disk(const char *tag, const char *ua, int write, uint64_t lba,
    const sense_t *want)
{
	fk_lun_t *lun = drv_lun(0, ua, 10);
	uchar_t *buf = fk_scsi_buf_alloc(8 * 512);
	fk_scsi_status_t st;
	char name[128];
	int e1, e2;

	(void) snprintf(name, sizeof (name), "%s: disk %s found", tag, ua);
	if (!CHECK(name, lun != NULL, "no LUN %s", ua)) {
		fk_scsi_buf_free(buf, 8 * 512);
		return;
	}
	(void) fk_scsi_tur(lun, NULL);		/* the power-on attention */
	(void) snprintf(name, sizeof (name), "%s: the bad sector", tag);
	check_sense(name, lun, write, lba, 1, want);
	(void) snprintf(name, sizeof (name), "%s: 8 blocks over it", tag);
	check_sense(name, lun, write, lba - 4, 8, want);

	e1 = write ? fk_scsi_write(lun, lba - 8, 8, buf, NULL) :
	    fk_scsi_read(lun, lba - 8, 8, buf, NULL);
	e2 = write ? fk_scsi_write(lun, lba + 1, 8, buf, NULL) :
	    fk_scsi_read(lun, lba + 1, 8, buf, NULL);
	(void) snprintf(name, sizeof (name), "%s: the blocks around it work",
	    tag);
	CHECK(name, e1 == 0 && e2 == 0, "saw %d and %d", e1, e2);

	e1 = write ? fk_scsi_write(lun, lba, 1, buf, &st) :
	    fk_scsi_read(lun, lba, 1, buf, &st);
	(void) snprintf(name, sizeof (name), "%s: sd-like I/O gives up with "
	    "EIO", tag);
	CHECK(name, e1 == EIO && st.ss_key == want->key, "saw %d, key 0x%x "
	    "after %u retries", e1, st.ss_key, st.ss_retries);
	fk_scsi_buf_free(buf, 8 * 512);
	fk_scsi_lun_rele(lun);
}

int
main(void)
{
	int err;

	drv_start();

	check_disk("read EIO", "1,0", 0, 8, &eio_sense);
	check_disk("read ENODATA", "2,0", 0, 8, &enodata_sense);
	check_disk("write EIO", "3,0", 1, 16, &eio_sense);

	lio_check_clean("mediaerr");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}
