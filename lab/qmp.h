/*
 * qmp.h: a small QMP client for programs running inside the lab guest, on
 * json-c (link -ljson-c; lab/lab.mk's LAB_QMP_LIBS).
 *
 * The lab connects a virtio-serial port in the guest (named "lab.qmp",
 * path in $LAB_QMP) to QEMU's QMP monitor through a relay on the host
 * (lab/qmprelay.c).  Every line written to the port is one QMP command;
 * every line read from it is one QMP reply or asynchronous event.
 *
 * Only one process at a time can hold the port open (the guest kernel
 * refuses a second open with EBUSY), and this library keeps its state in
 * static storage: one connection per process.
 *
 * Replies are matched to commands by a QMP "id" that qmp_exec() adds to
 * every command, so callers must not put an "id" member in their JSON.
 * Events that arrive while waiting for a reply are remembered (the most
 * recent QMP_EVENT_SLOTS of them) for qmp_wait_event().
 */

#ifndef LAB_QMP_H
#define LAB_QMP_H

#include <stddef.h>

#define	QMP_EVENT_SLOTS		64
#define	QMP_DEFAULT_TIMEOUT_MS	30000

/*
 * Opens $LAB_QMP and discards anything left in the port by earlier users.
 * Returns the descriptor, or -1 with errno set.
 */
int qmp_open(void);

/*
 * Sends one command, a JSON object given printf-style, and waits for its
 * reply, skipping (and remembering) events.  Returns 0 on {"return":...};
 * -1 with errno EREMOTEIO on {"error":...}; -1 with EINVAL when the text
 * is not a JSON object or has an "id"; -1 with another errno on I/O
 * failure or timeout (ETIMEDOUT).  The reply line (NUL-terminated,
 * truncated to fit) goes to resp unless resp is NULL or resplen is 0.
 */
int qmp_exec(int fd, char *resp, size_t resplen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void qmp_close(int fd);

/* Reply timeout used by qmp_exec() and qmp_disk_*(); default 30 s. */
void qmp_set_timeout(int ms);

/*
 * Waits for the event called name (e.g. "DEVICE_DELETED").  If match is
 * not NULL it has the form "path=value" (e.g. "data.device=disk-0-3") and
 * the event's member at that dotted path must equal value.  Events seen
 * earlier by qmp_exec() count.  The matching event is consumed and its
 * line copied to buf.  Returns 0, or -1 with errno (ETIMEDOUT, ...).
 */
int qmp_wait_event(int fd, const char *name, const char *match,
    int timeout_ms, char *buf, size_t buflen);

/*
 * Disk helpers.  A disk at (hba, target) has QOM device id
 * "disk-<hba>-<target>" and block node name "node-<hba>-<target>", on
 * SCSI bus "hba<hba>.0", scsi-id target, lun 0.  kind_opts is the same
 * KIND[,opt=val...] syntax as the launcher's --disk (see lab/README.md):
 *   null[,size=1G][,latency=NS][,lbs=512|4096]
 *   file[,path=P][,size=64M][,direct=on][,aio=threads|native|io_uring][,lbs=]
 *   blkdebug[,path=P][,size=64M][,rerr=SECTOR]...[,werr=SECTOR]...
 *           [,errno=5][,once=on][,config=FILE][,lbs=]
 * A file or blkdebug disk without path= gets a new sparse image
 * $LAB_OUT/disk-<hba>-<target>.img of the given size.
 *
 * qmp_disk_add: blockdev-add, then device_add (undoing the blockdev-add
 * if device_add fails).  qmp_disk_del: device_del, wait for its
 * DEVICE_DELETED event, then blockdev-del.  Both return 0 or -1 with
 * errno; the QMP error text, if any, is in qmp_last_error().
 */
int qmp_disk_add(int fd, int hba, int target, const char *kind_opts);
int qmp_disk_del(int fd, int hba, int target);

/* Description of the last failure of a qmp_* call ("" if none). */
const char *qmp_last_error(void);

/*
 * Translates a disk spec into the JSON arguments of blockdev-add
 * (blockdev) and device_add (device) without talking to QEMU; creates the
 * image file if the spec asks for one.  Returns 0, or -1 with a
 * description in qmp_last_error() and errno EINVAL (bad spec) or the
 * errno of the failed file operation.
 */
int qmp_disk_json(int hba, int target, const char *kind_opts,
    char *blockdev, size_t blen, char *device, size_t dlen);

/*
 * Checks a disk spec without creating anything.  Returns 0, or -1 with a
 * description in qmp_last_error() and errno EINVAL.
 */
int qmp_disk_check(const char *kind_opts);

/*
 * Copies the member of a JSON object at a dotted path (e.g. "data.device"
 * or "return") to out: strings are unescaped, other values are copied as
 * compact JSON text (truncated to fit).  Returns 0, or -1 if absent or
 * malformed.
 */
int qmp_json_get(const char *json, const char *path, char *out,
    size_t outlen);

#endif /* LAB_QMP_H */
