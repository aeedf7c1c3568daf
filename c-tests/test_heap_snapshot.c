/* test_heap_snapshot.c: DevTools heap snapshots from a C host (Linux: a
 * forked child writes one while the isolate goes on). A snapshot
 * streams through the writer in chunks of exactly the requested size (the
 * last one shorter) and is written to target/tmp/c_host.heapsnapshot for the
 * structural check in tests/c_api.rs; a writer that stops half-way gets
 * SABLE_ABORTED and no further calls; a file snapshot reports SABLE_IO_ERROR
 * for a path it cannot create; snapshots are written from inside a
 * near-heap-limit callback and from the OOM handler, and after
 * SABLE_OUT_OF_MEMORY; bad arguments give SABLE_INVALID_ARGUMENT. */

#include "test_util.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define OUT_DIR "target/tmp"

static int scaled(int n) {
  const char *stress = getenv("SABLE_GC_STRESS");
  return stress && strcmp(stress, "1") == 0 ? n / 100 : n;
}

typedef struct {
  FILE *file;
  size_t chunk_size;
  size_t calls, bytes, short_chunks, last_len;
  size_t stop_after; /* bytes after which the writer returns 1 (0: never) */
  int called_after_stop;
  int stopped;
} sink_state;

static int sink(void *user, const uint8_t *bytes, size_t len) {
  sink_state *s = user;
  if (s->stopped) s->called_after_stop = 1;
  s->calls++;
  if (len != s->chunk_size) s->short_chunks++;
  s->last_len = len;
  s->bytes += len;
  if (s->file && fwrite(bytes, 1, len, s->file) != len) return 1;
  if (s->stop_after && s->bytes >= s->stop_after) {
    s->stopped = 1;
    return 1;
  }
  return 0;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Reads a whole file (NUL-terminated, malloc'ed). */
static char *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  long n = file_size(path);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, f);
  fclose(f);
  buf[got] = 0;
  return buf;
}

static void streams_in_chunks(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  char src[512];
  snprintf(src, sizeof src,
           "class Leak { constructor(i) { this.i = i; this.name = 'leak-' + i; } }\n"
           "var leaks = []; for (var i = 0; i < %d; i++) leaks.push(new Leak(i));\n"
           "var text = 'caf\\u00e9 \\u4e2d'; var m = new Map([[1, leaks[0]]]); leaks.length",
           scaled(10000));
  EVAL(ctx, src);
  sable_heap_snapshot_options o;
  CHECK_OK(sable_heap_snapshot_options_init(&o));
  CHECK(o.struct_size == sizeof o && o.chunk_size == 65536 && !o.expose_internals && !o.expose_numeric_values);
  o.chunk_size = 4096;
  mkdir("target", 0755);
  mkdir(OUT_DIR, 0755);
  sink_state s = {.chunk_size = 4096};
  s.file = fopen(OUT_DIR "/c_host.heapsnapshot", "wb");
  CHECK(s.file != NULL);
  CHECK_OK(sable_heap_snapshot_write(iso, &o, sink, &s));
  fclose(s.file);
  CHECK(s.calls > 10);
  CHECK(s.short_chunks == 1 && s.last_len <= 4096); /* only the last one */
  CHECK(file_size(OUT_DIR "/c_host.heapsnapshot") == (long)s.bytes);
  char *json = read_all(OUT_DIR "/c_host.heapsnapshot");
  CHECK(json != NULL);
  CHECK(strncmp(json, "{\"snapshot\":{\"meta\":", 20) == 0);
  CHECK(strcmp(json + strlen(json) - 2, "]}") == 0);
  CHECK(strstr(json, "\n\"Leak\"") != NULL);
  CHECK(strstr(json, "\"caf\\u00E9 \\u4E2D\"") != NULL);
  free(json);

  /* NULL options: the defaults (64 KiB chunks). */
  sink_state d = {.chunk_size = 65536};
  CHECK_OK(sable_heap_snapshot_write(iso, NULL, sink, &d));
  CHECK(d.short_chunks == 1 && d.calls >= 1);

  /* The script still runs afterwards: the snapshot left the heap as it was. */
  sable_value r = EVAL(ctx, "leaks.filter(l => l instanceof Leak).length");
  CHECK(num_of(ctx, r) == scaled(10000));
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("a snapshot streams in chunks of the requested size");
}

static void writer_aborts_half_way(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  EVAL(ctx, "var keep = []; for (var i = 0; i < 2000; i++) keep.push({ i, s: 'str' + i }); 0");
  sable_heap_snapshot_options o;
  CHECK_OK(sable_heap_snapshot_options_init(&o));
  o.chunk_size = 1024;
  sink_state whole = {.chunk_size = 1024};
  CHECK_OK(sable_heap_snapshot_write(iso, &o, sink, &whole));
  sink_state half = {.chunk_size = 1024, .stop_after = whole.bytes / 2};
  CHECK_STATUS(sable_heap_snapshot_write(iso, &o, sink, &half), SABLE_ABORTED);
  CHECK(!half.called_after_stop);
  CHECK(half.bytes >= whole.bytes / 2 && half.bytes < whole.bytes);
  /* And again in full: the aborted one left nothing behind. (The sizes
   * differ a little: conservative stack roots depend on the caller's stack.) */
  sink_state again = {.chunk_size = 1024};
  CHECK_OK(sable_heap_snapshot_write(iso, &o, sink, &again));
  CHECK(again.bytes > whole.bytes / 10 * 9 && again.bytes < whole.bytes / 10 * 11);
  CHECK(js_true(ctx, "keep.length === 2000 && keep[1999].s === 'str1999'"));
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("a writer that stops half-way gets SABLE_ABORTED");
}

static void file_snapshots(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  EVAL(ctx, "var o = { a: [1, 2, 3] }; 0");
  const char *path = OUT_DIR "/c_host_file.heapsnapshot";
  CHECK_OK(sable_heap_snapshot_write_file(iso, NULL, path, strlen(path)));
  CHECK(file_size(path) > 1000);
  const char *bad = "/nonexistent-dir/x.heapsnapshot";
  CHECK_STATUS(sable_heap_snapshot_write_file(iso, NULL, bad, strlen(bad)), SABLE_IO_ERROR);
  CHECK_STATUS(sable_heap_snapshot_write_file(iso, NULL, NULL, 3), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_snapshot_write_file(iso, NULL, path, 0), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_snapshot_write(iso, NULL, NULL, NULL), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_snapshot_write(NULL, NULL, sink, NULL), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_snapshot_write_file(NULL, NULL, path, strlen(path)), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_snapshot_options_init(NULL), SABLE_INVALID_ARGUMENT);
  sable_heap_snapshot_options tiny = {.struct_size = 1};
  CHECK_STATUS(sable_heap_snapshot_write_file(iso, &tiny, path, strlen(path)), SABLE_INVALID_ARGUMENT);
  /* An older caller that knows only the first two fields. */
  sable_heap_snapshot_options old = {.struct_size = offsetof(sable_heap_snapshot_options, expose_numeric_values)};
  old.expose_internals = true;
  CHECK_OK(sable_heap_snapshot_write_file(iso, &old, path, strlen(path)));
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("file snapshots and bad arguments");
}

typedef struct {
  sable_isolate *iso;
  int calls;
  sable_status status;
} limit_state;

static size_t snapshot_near_limit(void *data, size_t current, size_t initial) {
  limit_state *s = data;
  (void)initial;
  s->calls++;
  const char *path = OUT_DIR "/c_near_limit.heapsnapshot";
  s->status = sable_heap_snapshot_write_file(s->iso, NULL, path, strlen(path));
  return current; /* keep the limit: out of memory follows */
}

typedef struct {
  int calls;
  sable_status status;
} oom_state;

static void snapshot_on_oom(sable_isolate *iso, const char *reason, bool is_heap_oom, void *data) {
  oom_state *s = data;
  (void)reason;
  (void)is_heap_oom;
  s->calls++;
  const char *path = OUT_DIR "/c_oom.heapsnapshot";
  s->status = sable_heap_snapshot_write_file(iso, NULL, path, strlen(path));
}

static void snapshots_at_the_heap_limit(void) {
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  p.heap_limit_bytes = 16u << 20;
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  remove(OUT_DIR "/c_near_limit.heapsnapshot");
  remove(OUT_DIR "/c_oom.heapsnapshot");
  limit_state ls = {.iso = iso};
  oom_state os = {0};
  CHECK_OK(sable_isolate_add_near_heap_limit_callback(iso, snapshot_near_limit, &ls));
  CHECK_OK(sable_isolate_set_oom_handler(iso, snapshot_on_oom, &os));
  CHECK_STATUS(eval_status(ctx, "class Leak { constructor(i) { this.s = 'z'.repeat(100000 + i); } }\n"
                                "var leaks = []; for (var i = 0;; i++) leaks.push(new Leak(i));",
                           NULL),
               SABLE_OUT_OF_MEMORY);
  CHECK(ls.calls == 1 && ls.status == SABLE_OK);
  CHECK(os.calls == 1 && os.status == SABLE_OK);
  CHECK(file_size(OUT_DIR "/c_near_limit.heapsnapshot") > 1000);
  CHECK(file_size(OUT_DIR "/c_oom.heapsnapshot") > 1000);
  /* Post mortem: the terminated isolate can still be inspected. */
  sink_state s = {.chunk_size = 65536};
  CHECK_OK(sable_heap_snapshot_write(iso, NULL, sink, &s));
  CHECK(s.bytes > 1000);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("snapshots from the near-heap-limit callback, the OOM handler and after OOM");
}

static void forked_file_snapshot(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  EVAL(ctx, "class Session { constructor(i) { this.id = i; } }\n"
            "var sessions = []; for (var i = 0; i < 300; i++) sessions.push(new Session(i)); 0");
  const char *path = OUT_DIR "/c_forked.heapsnapshot";
  remove(path);
  int32_t pid = 0;
  uint64_t pause_us = 0;
  CHECK_OK(sable_heap_snapshot_write_file_forked(iso, NULL, path, strlen(path), &pid, &pause_us));
  CHECK(pid > 0);
  /* The isolate goes on while the child writes what the heap was. */
  EVAL(ctx, "sessions.length = 0; 0");
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(file_size(path) > 1000);
  char *json = read_all(path);
  CHECK(strcmp(json + strlen(json) - 2, "]}") == 0);
  free(json);
  printf("  forked snapshot: the isolate paused %llu us\n", (unsigned long long)pause_us);
  const char *bad = "/nonexistent-dir/x.heapsnapshot";
  CHECK_STATUS(sable_heap_snapshot_write_file_forked(iso, NULL, bad, strlen(bad), &pid, NULL), SABLE_IO_ERROR);
  CHECK_STATUS(sable_heap_snapshot_write_file_forked(iso, NULL, path, strlen(path), NULL, NULL), SABLE_INVALID_ARGUMENT);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("a forked child writes the snapshot while the isolate goes on");
}

int main(void) {
  streams_in_chunks();
  writer_aborts_half_way();
  file_snapshots();
  snapshots_at_the_heap_limit();
  forked_file_snapshot();
  return 0;
}
