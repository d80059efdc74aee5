/*
 * fsprobe.c: a hostile guest that tries to leave its preopened folder, and reports
 * what it got. Plain wasi-libc file calls; no sockets.
 *
 * Usage: fsprobe OP PATH [ARG] [OP PATH [ARG]]...   (each op consumes its own args)
 * One output line per op, flushed:
 *   read PATH        -> "read PATH ok <first bytes, up to 64, escaped>" | "read PATH err <ENAME>"
 *   list PATH        -> "list PATH ok <names sorted, comma-separated>"   | "... err <ENAME>"
 *   stat PATH        -> "stat PATH ok type=<file|dir|link|other> size=<n> ino=<n>" (follows links)
 *   lstat PATH       -> as stat, without following the last link
 *   write PATH TEXT  -> "write PATH ok <n>" | "write PATH err <ENAME>" (creates or truncates)
 *   append PATH TEXT -> as write, O_APPEND
 *   mkdir PATH       -> "mkdir PATH ok" | "... err <ENAME>"
 *   symlink TARGET PATH -> "symlink PATH ok" | "... err <ENAME>"
 *   readlink PATH    -> "readlink PATH ok <text>" | "... err <ENAME>"
 *   unlink PATH, rmdir PATH, rename PATH NEWPATH -> "... ok" | "... err <ENAME>"
 *   walk PATH        -> walks the tree below PATH depth-first (following directory
 *                       symlinks, at most 64 levels and 10000 entries), then
 *                       "walk PATH ok entries=<n> errors=<n>"
 *   fill PATH N      -> writes N bytes (64 KiB at a time) to PATH until done or an error:
 *                       "fill PATH ok <n>" | "fill PATH err <ENAME> after <n>"
 *   tail PATH N      -> reads the last N bytes of PATH with pread: "tail PATH ok <bytes escaped>"
 *   ino PATH         -> "ino PATH <ino>" (fstat of the opened file)
 *   inostd           -> "inostd <ino of fd 0> <fd 1> <fd 2>"
 *   openmany PATH N  -> opens PATH N times without closing: "openmany PATH <opened> <ENAME or OK>"
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *ename(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case ELOOP: return "ELOOP";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case EINVAL: return "EINVAL";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case EDQUOT: return "EDQUOT";
    case ENOSPC: return "ENOSPC";
    case ENOTSUP: return "ENOTSUP";
    case EBADF: return "EBADF";
    case EMFILE: return "EMFILE";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBUSY: return "EBUSY";
    case ENFILE: return "ENFILE";
    default: {
      static char buf[32];
      snprintf(buf, sizeof buf, "E%d", e);
      return buf;
    }
  }
}

static void escaped(const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (b[i] >= 32 && b[i] < 127 && b[i] != '\\') putchar(b[i]);
    else printf("\\x%02x", b[i]);
  }
}

static const char *type_of(mode_t m) {
  if (S_ISREG(m)) return "file";
  if (S_ISDIR(m)) return "dir";
  if (S_ISLNK(m)) return "link";
  return "other";
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static unsigned long walk_entries, walk_errors;

static void walk(const char *path, int depth) {
  if (depth > 64 || walk_entries > 10000) return;
  DIR *d = opendir(path);
  if (!d) { walk_errors++; return; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    walk_entries++;
    /* On the heap: 64 levels of 4 KiB would overflow the wasm stack. */
    char *sub = malloc(4096);
    snprintf(sub, 4096, "%s/%s", path, e->d_name);
    struct stat st;
    if (stat(sub, &st) != 0) walk_errors++;
    else if (S_ISDIR(st.st_mode)) walk(sub, depth + 1);
    free(sub);
  }
  closedir(d);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 1; i < argc;) {
    const char *op = argv[i++];
    if (i >= argc && strcmp(op, "inostd") != 0) { printf("usage: missing path after %s\n", op); return 2; }
    if (!strcmp(op, "inostd")) {
      struct stat a, b, c;
      fstat(0, &a); fstat(1, &b); fstat(2, &c);
      printf("inostd %llu %llu %llu\n", (unsigned long long)a.st_ino, (unsigned long long)b.st_ino, (unsigned long long)c.st_ino);
      continue;
    }
    const char *path = argv[i++];
    if (!strcmp(op, "read")) {
      int fd = open(path, O_RDONLY);
      if (fd < 0) { printf("read %s err %s\n", path, ename(errno)); continue; }
      unsigned char buf[64];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) printf("read %s err %s\n", path, ename(errno));
      else { printf("read %s ok ", path); escaped(buf, (size_t)n); putchar('\n'); }
      close(fd);
    } else if (!strcmp(op, "list")) {
      DIR *d = opendir(path);
      if (!d) { printf("list %s err %s\n", path, ename(errno)); continue; }
      char *names[512];
      int n = 0;
      struct dirent *e;
      while ((e = readdir(d)) != NULL && n < 512) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        names[n++] = strdup(e->d_name);
      }
      closedir(d);
      qsort(names, (size_t)n, sizeof names[0], cmp);
      printf("list %s ok ", path);
      for (int k = 0; k < n; k++) { printf("%s%s", k ? "," : "", names[k]); free(names[k]); }
      putchar('\n');
    } else if (!strcmp(op, "stat") || !strcmp(op, "lstat")) {
      struct stat st;
      int r = op[0] == 'l' ? lstat(path, &st) : stat(path, &st);
      if (r != 0) printf("%s %s err %s\n", op, path, ename(errno));
      else printf("%s %s ok type=%s size=%lld ino=%llu\n", op, path, type_of(st.st_mode), (long long)st.st_size, (unsigned long long)st.st_ino);
    } else if (!strcmp(op, "write") || !strcmp(op, "append")) {
      if (i >= argc) { printf("usage: %s needs text\n", op); return 2; }
      const char *text = argv[i++];
      int fd = open(path, O_WRONLY | O_CREAT | (op[0] == 'a' ? O_APPEND : O_TRUNC), 0644);
      if (fd < 0) { printf("%s %s err %s\n", op, path, ename(errno)); continue; }
      ssize_t n = write(fd, text, strlen(text));
      if (n < 0) printf("%s %s err %s\n", op, path, ename(errno));
      else printf("%s %s ok %zd\n", op, path, n);
      close(fd);
    } else if (!strcmp(op, "mkdir")) {
      if (mkdir(path, 0755) != 0) printf("mkdir %s err %s\n", path, ename(errno)); else printf("mkdir %s ok\n", path);
    } else if (!strcmp(op, "symlink")) {
      if (i >= argc) { printf("usage: symlink needs a path\n"); return 2; }
      const char *link = argv[i++];
      if (symlink(path, link) != 0) printf("symlink %s err %s\n", link, ename(errno)); else printf("symlink %s ok\n", link);
    } else if (!strcmp(op, "readlink")) {
      char buf[256];
      ssize_t n = readlink(path, buf, sizeof buf - 1);
      if (n < 0) printf("readlink %s err %s\n", path, ename(errno));
      else { buf[n] = 0; printf("readlink %s ok %s\n", path, buf); }
    } else if (!strcmp(op, "unlink")) {
      if (unlink(path) != 0) printf("unlink %s err %s\n", path, ename(errno)); else printf("unlink %s ok\n", path);
    } else if (!strcmp(op, "rmdir")) {
      if (rmdir(path) != 0) printf("rmdir %s err %s\n", path, ename(errno)); else printf("rmdir %s ok\n", path);
    } else if (!strcmp(op, "rename")) {
      if (i >= argc) { printf("usage: rename needs a new path\n"); return 2; }
      const char *to = argv[i++];
      if (rename(path, to) != 0) printf("rename %s err %s\n", path, ename(errno)); else printf("rename %s ok\n", path);
    } else if (!strcmp(op, "walk")) {
      walk_entries = walk_errors = 0;
      walk(path, 0);
      printf("walk %s ok entries=%lu errors=%lu\n", path, walk_entries, walk_errors);
    } else if (!strcmp(op, "fill")) {
      if (i >= argc) { printf("usage: fill needs a size\n"); return 2; }
      long long want = atoll(argv[i++]);
      int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd < 0) { printf("fill %s err %s after 0\n", path, ename(errno)); continue; }
      static char chunk[65536];
      memset(chunk, 'x', sizeof chunk);
      long long done = 0;
      int err = 0;
      while (done < want) {
        size_t n = want - done < (long long)sizeof chunk ? (size_t)(want - done) : sizeof chunk;
        ssize_t w = write(fd, chunk, n);
        if (w < 0) { err = errno; break; }
        if (w == 0) break;
        done += w;
      }
      close(fd);
      if (err) printf("fill %s err %s after %lld\n", path, ename(err), done);
      else printf("fill %s ok %lld\n", path, done);
    } else if (!strcmp(op, "tail")) {
      if (i >= argc) { printf("usage: tail needs a size\n"); return 2; }
      long n = atol(argv[i++]);
      int fd = open(path, O_RDONLY);
      if (fd < 0) { printf("tail %s err %s\n", path, ename(errno)); continue; }
      struct stat st;
      fstat(fd, &st);
      unsigned char buf[64];
      if (n > 64) n = 64;
      ssize_t r = pread(fd, buf, (size_t)n, st.st_size - n);
      if (r < 0) printf("tail %s err %s\n", path, ename(errno));
      else { printf("tail %s ok size=%lld ", path, (long long)st.st_size); escaped(buf, (size_t)r); putchar('\n'); }
      close(fd);
    } else if (!strcmp(op, "openmany")) {
      if (i >= argc) { printf("usage: openmany needs a count\n"); return 2; }
      int n = atoi(argv[i++]), opened = 0, err = 0;
      for (int k = 0; k < n; k++) {
        if (open(path, O_RDONLY) < 0) { err = errno; break; }
        opened++;
      }
      printf("openmany %s %d %s\n", path, opened, err ? ename(err) : "OK");
    } else if (!strcmp(op, "ino")) {
      int fd = open(path, O_RDONLY);
      struct stat st;
      if (fd < 0 || fstat(fd, &st) != 0) printf("ino %s err %s\n", path, ename(errno));
      else printf("ino %s %llu\n", path, (unsigned long long)st.st_ino);
      if (fd >= 0) close(fd);
    } else {
      printf("usage: unknown op %s\n", op);
      return 2;
    }
  }
  return 0;
}
