/*
 * Code addresses as text, for reports (witness, panics): fk_symbolize()
 * and fk_symbolize_lines() (fk_impl.h).
 *
 * The process names each address itself: a function of the program from
 * the program's own ELF symbol table (read once from /proc/self/exe;
 * static or dynamic, fixed-address or position-independent, through the
 * load bias), one of a shared object through dladdr(): "function+0x1c".
 * Then addr2line, where it runs, replaces that with function, file and
 * line from the debug information (the build uses -g): "function
 * (file.c:123)".  It does not run on a guest of another architecture than
 * the host whose /usr/bin the guest uses (an aarch64 lab guest);
 * fk_symbolize_lines() says whether reports carry file and line here, for
 * tests to expect what the platform gives.  FK_SYMBOLIZE=0 in the
 * environment skips addr2line.
 */

/* dladdr, program_invocation_short_name */
#define	_GNU_SOURCE

#include <sys/types.h>
#include <fk_impl.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/*
 * The running program's own functions, from its ELF symbol table: what
 * names a code address when dladdr() cannot (a static program has no
 * dynamic symbol table; a dynamic one exports few of its functions).
 * Addresses are the program's run-time ones (file address + load bias).
 */
typedef struct fk_func {
	uintptr_t	f_lo;		/* first byte */
	uintptr_t	f_hi;		/* one past the last */
	const char	*f_name;
} fk_func_t;

static struct {
	fk_once_t	e_once;
	uintptr_t	e_bias;		/* run-time minus file address */
	uintptr_t	e_text_lo;	/* executable segments, run-time */
	uintptr_t	e_text_hi;
	fk_func_t	*e_funcs;	/* sorted by f_lo */
	size_t		e_nfuncs;
} fk_exe = { .e_once = FK_ONCE_INIT };

/* len bytes at off of fd into a new buffer, or NULL. */
static void *
fk_elf_read(int fd, uint64_t off, uint64_t len)
{
	char *buf;
	ssize_t n;
	size_t got;

	if (len == 0 || len > (64ULL << 20) || (buf = malloc(len)) == NULL)
		return (NULL);
	for (got = 0; got < len; got += (size_t)n) {
		n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0) {
			free(buf);
			return (NULL);
		}
	}
	return (buf);
}

/*
 * The load bias and the executable range from the program headers the
 * kernel mapped (AT_PHDR): the segment that holds the headers in the
 * file holds them in memory too.  0 for a fixed-address (ET_EXEC)
 * program; the base address for a position-independent one.
 */
static int
fk_exe_layout(const Elf64_Ehdr *eh)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	size_t i, n = (size_t)getauxval(AT_PHNUM);
	int found = 0;

	if (ph == NULL || n == 0)
		return (-1);
	for (i = 0; i < n && !found; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_offset > eh->e_phoff ||
		    eh->e_phoff >= ph[i].p_offset + ph[i].p_filesz)
			continue;
		fk_exe.e_bias = (uintptr_t)ph - (uintptr_t)(ph[i].p_vaddr +
		    eh->e_phoff - ph[i].p_offset);
		found = 1;
	}
	if (!found)
		return (-1);
	fk_exe.e_text_lo = UINTPTR_MAX;
	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_X) == 0)
			continue;
		if (ph[i].p_vaddr + fk_exe.e_bias < fk_exe.e_text_lo)
			fk_exe.e_text_lo = ph[i].p_vaddr + fk_exe.e_bias;
		if (ph[i].p_vaddr + ph[i].p_memsz + fk_exe.e_bias >
		    fk_exe.e_text_hi)
			fk_exe.e_text_hi = ph[i].p_vaddr + ph[i].p_memsz +
			    fk_exe.e_bias;
	}
	return (fk_exe.e_text_lo < fk_exe.e_text_hi ? 0 : -1);
}

static int
fk_func_cmp(const void *a, const void *b)
{
	const fk_func_t *fa = a, *fb = b;

	if (fa->f_lo != fb->f_lo)
		return (fa->f_lo < fb->f_lo ? -1 : 1);
	return (strcmp(fa->f_name, fb->f_name));
}

/*
 * The defined functions of a symbol table (strtab is its string table,
 * kept for the names), sorted.  A function of size 0 (some assembly)
 * reaches to the next one.
 */
static void
fk_exe_funcs(const Elf64_Sym *sym, size_t nsym, const char *strtab,
    size_t strsz)
{
	fk_func_t *f;
	size_t i, n = 0;

	if ((f = calloc(nsym > 0 ? nsym : 1, sizeof (*f))) == NULL)
		return;
	for (i = 0; i < nsym; i++) {
		if ((ELF64_ST_TYPE(sym[i].st_info) != STT_FUNC &&
		    ELF64_ST_TYPE(sym[i].st_info) != STT_GNU_IFUNC) ||
		    sym[i].st_shndx == SHN_UNDEF || sym[i].st_value == 0 ||
		    sym[i].st_name == 0 || sym[i].st_name >= strsz)
			continue;
		f[n].f_lo = sym[i].st_value + fk_exe.e_bias;
		f[n].f_hi = f[n].f_lo + sym[i].st_size;
		f[n].f_name = strtab + sym[i].st_name;
		n++;
	}
	qsort(f, n, sizeof (*f), fk_func_cmp);
	for (i = 0; i < n; i++) {
		if (f[i].f_hi != f[i].f_lo)
			continue;
		f[i].f_hi = i + 1 < n ? f[i + 1].f_lo : fk_exe.e_text_hi;
	}
	fk_exe.e_funcs = f;
	fk_exe.e_nfuncs = n;
}

/*
 * Read the program's symbol table (.symtab; .dynsym when stripped) from
 * /proc/self/exe, once.  The tables stay for the life of the process.
 */
static void
fk_exe_load(void)
{
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL, *st = NULL;
	void *sym = NULL;
	char *str = NULL;
	int fd, i;

	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (pread(fd, &eh, sizeof (eh), 0) != (ssize_t)sizeof (eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof (Elf64_Shdr) || fk_exe_layout(&eh) != 0 ||
	    (sh = fk_elf_read(fd, eh.e_shoff,
	    (uint64_t)eh.e_shnum * sizeof (Elf64_Shdr))) == NULL)
		goto out;
	for (i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_type == SHT_SYMTAB ||
		    (sh[i].sh_type == SHT_DYNSYM && st == NULL))
			st = &sh[i];
	}
	if (st == NULL || st->sh_link >= eh.e_shnum ||
	    st->sh_entsize != sizeof (Elf64_Sym) ||
	    (sym = fk_elf_read(fd, st->sh_offset, st->sh_size)) == NULL ||
	    (str = fk_elf_read(fd, sh[st->sh_link].sh_offset,
	    sh[st->sh_link].sh_size)) == NULL)
		goto out;
	str[sh[st->sh_link].sh_size - 1] = '\0';
	fk_exe_funcs(sym, st->sh_size / sizeof (Elf64_Sym), str,
	    sh[st->sh_link].sh_size);
out:
	if (fk_exe.e_funcs == NULL)
		free(str);
	free(sym);
	free(sh);
	(void) close(fd);
}

/* The function of the program that holds addr, or NULL. */
static const fk_func_t *
fk_exe_func(uintptr_t addr)
{
	size_t lo = 0, hi = fk_exe.e_nfuncs, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (fk_exe.e_funcs[mid].f_lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= fk_exe.e_funcs[lo - 1].f_hi)
		return (NULL);
	return (&fk_exe.e_funcs[lo - 1]);
}

typedef struct fk_sym {
	const char	*s_obj;		/* file for addr2line, or NULL */
	uintptr_t	s_addr;		/* its address there */
	int		s_done;		/* out[] has the final text */
} fk_sym_t;

/*
 * The call (a return address less one) in the running program itself
 * (exe names it for addr2line): "function+0x1c" from its symbol table,
 * "program(+0x1234)" without one.
 */
static int
fk_sym_exe(void *pc, const char *exe, fk_sym_t *sp, char *out, size_t len)
{
	uintptr_t call = (uintptr_t)pc - 1;
	const fk_func_t *f;

	fk_once(&fk_exe.e_once, fk_exe_load);
	if (call < fk_exe.e_text_lo || call >= fk_exe.e_text_hi)
		return (0);
	sp->s_obj = exe;
	sp->s_addr = call - fk_exe.e_bias;
	if ((f = fk_exe_func(call)) != NULL) {
		(void) snprintf(out, len, "%s+0x%lx", f->f_name,
		    (unsigned long)((uintptr_t)pc - f->f_lo));
	} else {
		(void) snprintf(out, len, "%s(+0x%lx)",
		    program_invocation_short_name,
		    (unsigned long)((uintptr_t)pc - fk_exe.e_bias));
	}
	return (1);
}

/* In a shared object: "symbol+0x1c" or "object(+0x1234)", per dladdr. */
static int
fk_sym_dladdr(void *pc, fk_sym_t *sp, char *out, size_t len)
{
	const Elf64_Ehdr *eh;
	const char *obj;
	Dl_info info;

	if (dladdr((char *)pc - 1, &info) == 0)
		return (0);
	eh = info.dli_fbase;
	sp->s_obj = info.dli_fname;
	sp->s_addr = (uintptr_t)pc - 1;
	if (eh->e_type == ET_DYN)
		sp->s_addr -= (uintptr_t)info.dli_fbase;
	if (info.dli_sname != NULL) {
		(void) snprintf(out, len, "%s+0x%lx", info.dli_sname,
		    (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_saddr));
		return (1);
	}
	obj = info.dli_fname != NULL ? strrchr(info.dli_fname, '/') : NULL;
	obj = obj != NULL ? obj + 1 : info.dli_fname;
	(void) snprintf(out, len, "%s(+0x%lx)", obj != NULL ? obj : "?",
	    (unsigned long)((uintptr_t)pc - (uintptr_t)info.dli_fbase));
	return (1);
}

/* What the process alone can say of pc. */
static void
fk_sym_name(void *pc, const char *exe, fk_sym_t *sp, char *out, size_t len)
{
	if (pc == NULL) {
		(void) snprintf(out, len, "(unknown)");
		sp->s_done = 1;
	} else if (!fk_sym_exe(pc, exe, sp, out, len) &&
	    !fk_sym_dladdr(pc, sp, out, len)) {
		(void) snprintf(out, len, "%p", pc);
		sp->s_done = 1;
	}
}

/*
 * One addr2line run for every address of the object syms[first] is in:
 * "function (file:line)" where the debug information has it.  Where
 * addr2line cannot run (a program of another architecture) nothing
 * comes back and out[] keeps what fk_sym_name() said.
 */
static void
fk_sym_addr2line(fk_sym_t *syms, int n, int first, char (*out)[160])
{
	const char *obj = syms[first].s_obj, *file;
	char cmd[4096], fn[256], where[512];
	int i, nq = 0, *q;
	size_t off;
	FILE *fp;

	if (strchr(obj, '\'') != NULL ||
	    (q = malloc((size_t)n * sizeof (int))) == NULL)
		return;
	off = (size_t)snprintf(cmd, sizeof (cmd),
	    "/usr/bin/addr2line -f -e '%s'", obj);
	for (i = first; i < n && off < sizeof (cmd) - 64; i++) {
		if (syms[i].s_obj == NULL || syms[i].s_done ||
		    strcmp(syms[i].s_obj, obj) != 0)
			continue;
		syms[i].s_done = 1;
		q[nq++] = i;
		off += (size_t)snprintf(cmd + off, sizeof (cmd) - off,
		    " 0x%lx", (unsigned long)syms[i].s_addr);
	}
	(void) snprintf(cmd + off, sizeof (cmd) - off, " 2>/dev/null");
	if ((fp = popen(cmd, "r")) == NULL) {
		free(q);
		return;
	}
	for (i = 0; i < nq; i++) {
		if (fgets(fn, sizeof (fn), fp) == NULL ||
		    fgets(where, sizeof (where), fp) == NULL)
			break;
		fn[strcspn(fn, "\n")] = '\0';
		where[strcspn(where, "\n ")] = '\0';
		if (strcmp(fn, "??") == 0 || strncmp(where, "??", 2) == 0)
			continue;
		file = strrchr(where, '/');
		if (snprintf(out[q[i]], sizeof (out[q[i]]), "%s (%s)", fn,
		    file != NULL ? file + 1 : where) >= (int)sizeof (out[q[i]]))
			out[q[i]][sizeof (out[q[i]]) - 1] = '\0';
	}
	(void) pclose(fp);
	free(q);
}

/* pcs[0..n) as text in out[0..n), with addr2line when lines is set. */
static void
fk_symbolize_with(void *const *pcs, int n, char (*out)[160], int lines)
{
	char exe[32];	/* this process's program, for addr2line */
	fk_sym_t *syms;
	int i;

	if ((syms = calloc((size_t)(n > 0 ? n : 1), sizeof (*syms))) == NULL) {
		for (i = 0; i < n; i++)
			(void) snprintf(out[i], sizeof (out[i]), "%p", pcs[i]);
		return;
	}
	(void) snprintf(exe, sizeof (exe), "/proc/%d/exe", (int)getpid());
	for (i = 0; i < n; i++)
		fk_sym_name(pcs[i], exe, &syms[i], out[i], sizeof (out[i]));
	for (i = 0; lines && i < n; i++) {
		if (syms[i].s_obj != NULL && !syms[i].s_done)
			fk_sym_addr2line(syms, n, i, out);
	}
	free(syms);
}

/*
 * Whether addr2line runs here and finds lines in this program: asked
 * once, of a function of this file.  It does not on a guest of another
 * architecture than the host whose /usr/bin the guest runs.
 */
static int fk_addr2line_ok;
static fk_once_t fk_addr2line_once = FK_ONCE_INIT;

static void
fk_addr2line_probe(void)
{
	void *pc = (char *)(uintptr_t)fk_symbolize_lines + 1;
	char out[1][160];

	if (access("/usr/bin/addr2line", X_OK) != 0)
		return;
	fk_symbolize_with(&pc, 1, out, 1);
	fk_addr2line_ok = strstr(out[0], "(symbolize.c:") != NULL;
}

int
fk_symbolize_lines(void)
{
	const char *env = getenv("FK_SYMBOLIZE");

	if (env != NULL && strcmp(env, "0") == 0)
		return (0);
	fk_once(&fk_addr2line_once, fk_addr2line_probe);
	return (fk_addr2line_ok);
}

/*
 * pcs[0..n) as text in out[0..n).  Return addresses: the line reported
 * is the call's.
 */
void
fk_symbolize(void *const *pcs, int n, char (*out)[160])
{
	fk_symbolize_with(pcs, n, out, fk_symbolize_lines());
}
