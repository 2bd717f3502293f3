/*
 * qmp_api.c: exercises the lab/qmp.h API from inside the guest (run by
 * lab/selftest/t_qmp.sh).  Prints one PASS or FAIL line per check.
 */

#include "qmp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int failed;
static char resp[1 << 20];

static void
result(const char *name, int ok, const char *expected, const char *saw)
{
	if (ok) {
		(void) printf("PASS %s\n", name);
	} else {
		(void) printf("FAIL %s: expected %s, saw %s\n", name, expected,
		    saw);
		failed = 1;
	}
}

static int
peripheral_has(int fd, const char *id)
{
	char quoted[64];

	if (qmp_exec(fd, resp, sizeof (resp), "{\"execute\":\"qom-list\","
	    "\"arguments\":{\"path\":\"/machine/peripheral\"}}") != 0)
		return (-1);
	(void) snprintf(quoted, sizeof (quoted), "\"%s\"", id);
	return (strstr(resp, quoted) != NULL);
}

int
main(void)
{
	char buf[256];
	int fd, rc, e;

	fd = qmp_open();
	result("api-open", fd >= 0, "a descriptor", qmp_last_error());
	if (fd < 0)
		return (1);

	rc = qmp_open();
	e = errno;
	result("api-open-twice", rc == -1 && e == EBUSY, "-1/EBUSY",
	    strerror(e));

	rc = qmp_exec(fd, resp, sizeof (resp), "{\"execute\":\"%s\"}",
	    "query-status");
	result("api-exec", rc == 0 && qmp_json_get(resp, "return.status",
	    buf, sizeof (buf)) == 0 && strcmp(buf, "running") == 0,
	    "status running", resp);

	rc = qmp_exec(fd, resp, sizeof (resp), "{\"execute\":\"no-such\"}");
	e = errno;
	result("api-exec-error", rc == -1 && e == EREMOTEIO &&
	    strstr(qmp_last_error(), "no-such") != NULL,
	    "-1/EREMOTEIO and a description", qmp_last_error());

	rc = qmp_exec(fd, resp, sizeof (resp), "not json");
	result("api-exec-not-object", rc == -1 && errno == EINVAL,
	    "-1/EINVAL", qmp_last_error());

	rc = qmp_exec(fd, resp, sizeof (resp),
	    "{\"execute\":\"query-status\",\"id\":\"mine\"}");
	result("api-exec-own-id", rc == -1 && errno == EINVAL, "-1/EINVAL",
	    qmp_last_error());

	rc = qmp_json_get("{\"a\":{\"b\":\"x\\u00e9\\\"\"},\"n\":[1, 2]}",
	    "a.b", buf, sizeof (buf));
	result("api-json-get-string", rc == 0 &&
	    strcmp(buf, "x\xc3\xa9\"") == 0, "the string unescaped", buf);
	rc = qmp_json_get("{\"a\":{\"b\":1},\"n\":[1, 2]}", "n", buf,
	    sizeof (buf));
	result("api-json-get-value", rc == 0 && strcmp(buf, "[1,2]") == 0,
	    "compact JSON", buf);
	result("api-json-get-absent", qmp_json_get("{\"a\":1}", "a.b", buf,
	    sizeof (buf)) == -1 && qmp_json_get("{\"a\":", "a", buf,
	    sizeof (buf)) == -1, "-1 for a missing member and for bad JSON",
	    "0");

	rc = qmp_disk_add(fd, 0, 7, "null,size=64M,latency=1000");
	result("api-disk-add", rc == 0, "0", qmp_last_error());
	result("api-disk-present", peripheral_has(fd, "disk-0-7") == 1,
	    "disk-0-7 in /machine/peripheral", resp);

	rc = qmp_disk_add(fd, 0, 7, "null");
	result("api-disk-add-busy", rc == -1 && errno == EREMOTEIO,
	    "-1/EREMOTEIO", qmp_last_error());

	rc = qmp_disk_del(fd, 0, 7);
	result("api-disk-del", rc == 0, "0", qmp_last_error());
	result("api-disk-gone", peripheral_has(fd, "disk-0-7") == 0,
	    "no disk-0-7 in /machine/peripheral", resp);

	/* The node name is free again: add and remove once more. */
	rc = qmp_disk_add(fd, 0, 7, "file,size=1M");
	if (rc == 0)
		rc = qmp_disk_del(fd, 0, 7);
	result("api-disk-readd", rc == 0, "0", qmp_last_error());

	rc = qmp_disk_add(fd, 0, 7, "tape");
	result("api-disk-bad-kind", rc == -1 && errno == EINVAL,
	    "-1/EINVAL", qmp_last_error());

	rc = qmp_wait_event(fd, "NO_SUCH_EVENT", NULL, 200, NULL, 0);
	result("api-wait-timeout", rc == -1 && errno == ETIMEDOUT,
	    "-1/ETIMEDOUT", qmp_last_error());

	qmp_close(fd);
	return (failed);
}
