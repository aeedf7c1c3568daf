/* test_introspection.c: memory introspection from C. Space statistics sum to
 * the heap totals; a near-heap-limit callback raises the limit twice and the
 * script finishes; a callback that keeps the limit leads to
 * SABLE_OUT_OF_MEMORY after the OOM handler ran once with its reason, and the
 * process stays healthy; GC callbacks fire in pairs with durations; a GC
 * profile streams Node's JSON; an external string's size is external memory;
 * queryObjects and the v8 module work from C. */

#include "test_util.h"

/* Loop counts: as written normally, a hundredth under SABLE_GC_STRESS=1 (a
 * full collection at every loop back-edge). */
static int scaled(int n) {
  const char *stress = getenv("SABLE_GC_STRESS");
  return stress && strcmp(stress, "1") == 0 ? n / 100 : n;
}

static void space_statistics_sum_to_the_totals(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  char src[256];
  snprintf(src, sizeof src, "var keep = []; for (var i = 0; i < %d; i++) keep.push({ i }); 0", scaled(20000));
  EVAL(ctx, src);
  sable_heap_statistics h = {.struct_size = sizeof h};
  CHECK_OK(sable_heap_statistics_get(iso, &h));
  size_t n = sable_heap_space_count(iso), size = 0, used = 0;
  CHECK(n == 6);
  for (size_t i = 0; i < n; i++) {
    sable_heap_space_statistics s = {.struct_size = sizeof s};
    CHECK_OK(sable_heap_space_statistics_get(iso, i, &s));
    CHECK(s.space_name != NULL);
    CHECK(s.space_used_size <= s.space_size);
    size += s.space_size;
    used += s.space_used_size;
  }
  CHECK(size == h.total_heap_size);
  CHECK(used == h.used_heap_size);
  sable_heap_space_statistics bad = {.struct_size = sizeof bad};
  CHECK_STATUS(sable_heap_space_statistics_get(iso, n, &bad), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_heap_space_statistics_get(iso, 0, NULL), SABLE_INVALID_ARGUMENT);
  sable_heap_code_statistics c = {.struct_size = sizeof c};
  CHECK_OK(sable_heap_code_statistics_get(iso, &c));
  CHECK(c.bytecode_and_metadata_size > 0 && c.external_script_source_size > 0);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("space statistics sum to the totals");
}

typedef struct {
  int calls;
  int raises; /* how many calls raise the limit */
  size_t last_current, initial;
} limit_state;

static size_t raise_limit(void *data, size_t current, size_t initial) {
  limit_state *s = data;
  s->calls++;
  s->last_current = current;
  s->initial = initial;
  return s->calls <= s->raises ? current + (16u << 20) : current;
}

typedef struct {
  int calls;
  char reason[128];
  bool heap;
} oom_state;

static void on_oom(sable_isolate *iso, const char *reason, bool is_heap_oom, void *data) {
  oom_state *s = data;
  s->calls++;
  snprintf(s->reason, sizeof s->reason, "%s", reason);
  s->heap = is_heap_oom;
  /* The heap is consistent: statistics can be read here. */
  sable_heap_statistics h = {.struct_size = sizeof h};
  CHECK_OK(sable_heap_statistics_get(iso, &h));
}

static void near_heap_limit_and_oom_handler(void) {
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  p.heap_limit_bytes = 16u << 20;
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(&p, &iso));
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  limit_state ls = {.raises = 2};
  oom_state os = {.calls = 0};
  CHECK_OK(sable_isolate_add_near_heap_limit_callback(iso, raise_limit, &ls));
  CHECK_OK(sable_isolate_set_oom_handler(iso, on_oom, &os));
  /* About 38 MB of live strings (100 KB each, so few loop iterations even
   * under GC stress): fits after two raises (48 MiB). */
  sable_value r = EVAL(ctx, "var keep = []; for (var i = 0; i < 380; i++) keep.push('x'.repeat(100000 + i)); keep.length");
  CHECK(num_of(ctx, r) == 380);
  CHECK(ls.calls == 2);
  CHECK(ls.initial == (16u << 20) && ls.last_current == (32u << 20));
  CHECK(os.calls == 0);
  /* The third call keeps the limit: out of memory, the handler runs once. */
  CHECK_STATUS(eval_status(ctx, "var more = []; for (;;) more.push('y'.repeat(100000 + more.length));", NULL), SABLE_OUT_OF_MEMORY);
  CHECK(ls.calls == 3);
  CHECK(os.calls == 1);
  CHECK(strcmp(os.reason, "Reached heap limit") == 0);
  CHECK(os.heap);
  CHECK_STATUS(eval_status(ctx, "1", NULL), SABLE_OUT_OF_MEMORY);
  CHECK(os.calls == 1);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  /* The process is healthy. */
  sable_isolate *iso2 = new_isolate();
  sable_context *ctx2 = new_context(iso2);
  CHECK(num_of(ctx2, EVAL(ctx2, "6 * 7")) == 42);
  sable_context_dispose(ctx2);
  sable_isolate_dispose(iso2);
  /* Add and remove several; removal by callback restores a limit. */
  CHECK_OK(sable_isolate_new(&p, &iso));
  limit_state a = {.calls = 0}, b = {.calls = 0};
  CHECK_OK(sable_isolate_add_near_heap_limit_callback(iso, raise_limit, &a));
  CHECK_OK(sable_isolate_add_near_heap_limit_callback(iso, raise_limit, &b));
  CHECK_OK(sable_isolate_remove_near_heap_limit_callback(iso, raise_limit, 0));
  CHECK_OK(sable_isolate_remove_near_heap_limit_callback(iso, raise_limit, 24u << 20));
  CHECK_STATUS(sable_isolate_remove_near_heap_limit_callback(iso, raise_limit, 0), SABLE_INVALID_ARGUMENT);
  sable_heap_statistics h = {.struct_size = sizeof h};
  CHECK_OK(sable_heap_statistics_get(iso, &h));
  CHECK(h.heap_size_limit == (24u << 20));
  CHECK_STATUS(sable_isolate_add_near_heap_limit_callback(iso, NULL, NULL), SABLE_INVALID_ARGUMENT);
  sable_isolate_dispose(iso);
  OK("near-heap-limit callbacks and the OOM handler");
}

typedef struct {
  int prologues, epilogues;
  double total_us;
  int bad;
} gc_state;

static void on_gc(sable_isolate *iso, sable_gc_phase phase, sable_gc_type type, double us, void *data) {
  gc_state *s = data;
  if (type != SABLE_GC_TYPE_MARK_SWEEP_COMPACT) s->bad++;
  if (phase == SABLE_GC_PROLOGUE) {
    if (s->prologues != s->epilogues || us != 0.0) s->bad++;
    s->prologues++;
  } else {
    if (s->prologues != s->epilogues + 1 || us <= 0.0) s->bad++;
    s->epilogues++;
    s->total_us += us;
  }
  sable_heap_statistics h = {.struct_size = sizeof h};
  if (sable_heap_statistics_get(iso, &h) != SABLE_OK) s->bad++;
}

typedef struct {
  char *buf;
  size_t len;
} sink;

static int to_sink(void *user, const uint8_t *bytes, size_t len) {
  sink *s = user;
  s->buf = realloc(s->buf, s->len + len + 1);
  memcpy(s->buf + s->len, bytes, len);
  s->len += len;
  s->buf[s->len] = 0;
  return 0;
}

static int refuse(void *user, const uint8_t *bytes, size_t len) {
  (void)user, (void)bytes, (void)len;
  return 1;
}

static void gc_callbacks_and_profiles(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  gc_state gs = {.prologues = 0};
  CHECK_OK(sable_isolate_add_gc_callback(iso, on_gc, &gs));
  uint64_t prof = 0;
  CHECK_OK(sable_gc_profiler_start(iso, &prof));
  sable_isolate_collect_garbage(iso);
  char src[128];
  snprintf(src, sizeof src, "for (var i = 0; i < %d; i++) ({ i }); 0", scaled(300000));
  EVAL(ctx, src);
  sable_isolate_collect_garbage(iso);
  CHECK(gs.bad == 0);
  CHECK(gs.prologues >= 2 && gs.prologues == gs.epilogues);
  CHECK(gs.total_us > 0.0);
  sink out = {.buf = NULL};
  CHECK_OK(sable_gc_profiler_stop(iso, prof, to_sink, &out));
  CHECK(out.buf && strncmp(out.buf, "{\"version\":1,\"startTime\":", 25) == 0);
  CHECK(strstr(out.buf, "\"gcType\":\"MarkSweepCompact\",\"beforeGC\":{\"heapStatistics\":{\"totalHeapSize\":"));
  CHECK(strstr(out.buf, "\"endTime\":"));
  free(out.buf);
  CHECK_STATUS(sable_gc_profiler_stop(iso, prof, to_sink, &out), SABLE_INVALID_ARGUMENT);
  CHECK_OK(sable_gc_profiler_start(iso, &prof));
  CHECK_STATUS(sable_gc_profiler_stop(iso, prof, refuse, NULL), SABLE_ABORTED);
  int n = gs.prologues;
  CHECK_OK(sable_isolate_remove_gc_callback(iso, on_gc, &gs));
  CHECK_STATUS(sable_isolate_remove_gc_callback(iso, on_gc, &gs), SABLE_INVALID_ARGUMENT);
  sable_isolate_collect_garbage(iso);
  CHECK(gs.prologues == n);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("GC callbacks in pairs, GC profiles");
}

static int released;
static void release_text(void *data) {
  released++;
  free(data);
}

static void external_strings_queries_and_the_v8_module(void) {
  sable_isolate *iso = new_isolate();
  sable_context *ctx = new_context(iso);
  g_ctx = ctx;
  sable_isolate_collect_garbage(iso);
  sable_heap_statistics h0 = {.struct_size = sizeof h0}, h1 = {.struct_size = sizeof h1}, h2 = {.struct_size = sizeof h2};
  CHECK_OK(sable_heap_statistics_get(iso, &h0));
  size_t len = 100000;
  char *text = malloc(len);
  memset(text, 'z', len);
  size_t scope = sable_scope_open(iso);
  sable_value s = NULL;
  CHECK_OK(sable_string_new_external_one_byte(iso, text, len, release_text, text, &s));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "ext", s));
  sable_scope_close(iso, scope);
  CHECK_OK(sable_heap_statistics_get(iso, &h1));
  CHECK(h1.external_memory == h0.external_memory + len);
  CHECK(num_of(ctx, EVAL(ctx, "ext.length")) == 100000);
  EVAL(ctx, "ext = null");
  sable_isolate_collect_garbage(iso);
  CHECK(released == 1);
  CHECK_OK(sable_heap_statistics_get(iso, &h2));
  CHECK(h2.external_memory == h0.external_memory);
  CHECK(sable_isolate_adjust_external_memory(iso, 1000) == (int64_t)(h0.external_memory + 1000));
  CHECK(sable_isolate_adjust_external_memory(iso, -1000) == (int64_t)h0.external_memory);
  CHECK_STATUS(sable_string_new_external_one_byte(iso, NULL, 5, NULL, NULL, &s), SABLE_INVALID_ARGUMENT);

  CHECK_OK(sable_context_install_v8_module(ctx));
  sable_value ctor = EVAL(ctx, "class Point { constructor(x) { this.x = x; } }; var pts = [new Point(1), new Point(2)]; Point");
  sable_value count = NULL, summary = NULL;
  CHECK_OK(sable_query_objects(ctx, ctor, false, &count));
  CHECK(num_of(ctx, count) == 2);
  CHECK_OK(sable_query_objects(ctx, ctor, true, &summary));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "summary", summary));
  CHECK(str_is(iso, EVAL(ctx, "summary.sort().join('|')"), "Point { x: 1 }|Point { x: 2 }"));
  CHECK(num_of(ctx, EVAL(ctx, "v8.queryObjects(Point)")) == 2);
  CHECK(num_of(ctx, EVAL(ctx, "v8.getHeapStatistics().number_of_native_contexts")) == 1);
  CHECK_STATUS(sable_query_objects(ctx, count, false, &summary), SABLE_EXCEPTION);
  sable_value e = NULL;
  CHECK_OK(sable_exception_take(iso, &e));
  CHECK(sable_cached_data_version_tag() == sable_cached_data_version_tag());
  CHECK_STATUS(sable_set_flags_from_string("--no-such-flag", 14), SABLE_INVALID_ARGUMENT);
  CHECK_OK(sable_set_flags_from_string("--no-trace-gc", 13));
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  OK("external strings, queryObjects and the v8 module");
}

int main(void) {
  space_statistics_sum_to_the_totals();
  near_heap_limit_and_oom_handler();
  gc_callbacks_and_profiles();
  external_strings_queries_and_the_v8_module();
  return 0;
}
