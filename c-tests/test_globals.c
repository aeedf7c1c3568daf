/* test_globals.c: persistent handles survive scope close and GC; weak
 * globals release their value and run their finalizer after a GC once the
 * value is unreachable; finalizers may call back into the isolate. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

/* Overwrites a chunk of dead stack so that no stale copy of a handle or cell
 * pointer keeps an object alive through conservative stack scanning. */
static NOINLINE void scrub_stack(void) {
  volatile char junk[64 * 1024];
  memset((char *)junk, 0, sizeof junk);
}

static void gc(void) {
  scrub_stack();
  sable_isolate_collect_garbage(iso);
}

/* Makes {tag: tag, payload: [...]} in its own scope and returns a global to it. */
static NOINLINE sable_global make_tagged(const char *tag) {
  size_t scope = sable_scope_open(iso);
  sable_value o = NULL;
  CHECK_OK(sable_object_new(ctx, &o));
  CHECK_OK(sable_set_named(ctx, o, "tag", sable_string(iso, tag, strlen(tag))));
  sable_value payload = EVAL(ctx, "Array.from({length: 1000}, (_, i) => ({i}))");
  CHECK_OK(sable_set_named(ctx, o, "payload", payload));
  sable_global g = sable_global_new(iso, o);
  CHECK(g != NULL);
  sable_scope_close(iso, scope);
  return g;
}

static int tag_is(sable_global g, const char *tag) {
  size_t scope = sable_scope_open(iso);
  sable_value o = sable_global_get(iso, g);
  int ok = 0;
  if (o && sable_typeof(o) == SABLE_TYPE_OBJECT) {
    sable_value t = NULL;
    ok = sable_get_named(ctx, o, "tag", &t) == SABLE_OK && str_is(iso, t, tag);
  }
  sable_scope_close(iso, scope);
  return ok;
}

static void test_strong(void) {
  sable_global g = make_tagged("strong");
  gc();
  gc();
  CHECK(tag_is(g, "strong"));
  /* The payload survived too. */
  size_t scope = sable_scope_open(iso);
  sable_value o = sable_global_get(iso, g), p = NULL, last = NULL, i = NULL;
  CHECK_OK(sable_get_named(ctx, o, "payload", &p));
  CHECK_OK(sable_get_index(ctx, p, 999, &last));
  CHECK_OK(sable_get_named(ctx, last, "i", &i));
  CHECK(num_of(ctx, i) == 999);
  /* Two gets give handles to the same object. */
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "viaGlobal", sable_global_get(iso, g)));
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "viaGlobal2", sable_global_get(iso, g)));
  CHECK_JS(ctx, "viaGlobal === viaGlobal2 && viaGlobal.tag === 'strong'");
  EVAL(ctx, "viaGlobal = viaGlobal2 = undefined;");
  sable_scope_close(iso, scope);
  sable_global_free(iso, g);
  CHECK(sable_global_get(iso, g) == NULL); /* freed */
  sable_global_free(iso, g);              /* double free: ignored */
  OK("strong globals");
}

/* used_global_handles_size and total_global_handles_size now. */
static void global_sizes(size_t *used, size_t *total) {
  sable_heap_statistics st;
  memset(&st, 0, sizeof st);
  st.struct_size = sizeof st;
  CHECK_OK(sable_heap_statistics_get(iso, &st));
  *used = st.used_global_handles_size;
  *total = st.total_global_handles_size;
}

static void test_many(void) {
  enum { N = 2000 };
  static sable_global gs[N];
  size_t used0, total0;
  global_sizes(&used0, &total0);
  CHECK(used0 <= total0);
  size_t scope = sable_scope_open(iso);
  for (int i = 0; i < N; i++) {
    char s[32];
    snprintf(s, sizeof s, "value-%d", i);
    size_t inner = sable_scope_open(iso);
    gs[i] = sable_global_new(iso, sable_string(iso, s, strlen(s)));
    CHECK(gs[i] != NULL);
    sable_scope_close(iso, inner);
  }
  sable_scope_close(iso, scope);
  /* Garbage around the globals. Under GC stress every loop iteration already
   * collects, and a growing array makes that quadratic: fewer objects. */
  EVAL(ctx, under_instrumentation() ? "let junk = []; for (let i = 0; i < 3000; i++) junk.push({i}); junk = null;"
                                    : "let junk = []; for (let i = 0; i < 100000; i++) junk.push({i}); junk = null;");
  gc();
  for (int i = 0; i < N; i++) {
    size_t inner = sable_scope_open(iso);
    char s[32];
    snprintf(s, sizeof s, "value-%d", i);
    CHECK(str_is(iso, sable_global_get(iso, gs[i]), s));
    sable_scope_close(iso, inner);
  }
  /* Globals are counted in the heap statistics: each live one uses the
   * same number of bytes, freed ones none. */
  size_t used_all, total_all;
  global_sizes(&used_all, &total_all);
  CHECK(used_all > used0);
  CHECK((used_all - used0) % N == 0);
  const size_t per_global = (used_all - used0) / N;
  CHECK(used_all <= total_all);
  for (int i = 0; i < N; i += 2) sable_global_free(iso, gs[i]);
  size_t used_half, total_half;
  global_sizes(&used_half, &total_half);
  CHECK(used_half == used0 + (N / 2) * per_global);
  CHECK(used_half <= total_half);
  gc();
  for (int i = 1; i < N; i += 2) {
    size_t inner = sable_scope_open(iso);
    char s[32];
    snprintf(s, sizeof s, "value-%d", i);
    CHECK(str_is(iso, sable_global_get(iso, gs[i]), s));
    sable_scope_close(iso, inner);
    sable_global_free(iso, gs[i]);
  }
  size_t used_end, total_end;
  global_sizes(&used_end, &total_end);
  CHECK(used_end == used0);
  CHECK(used_end <= total_end);
  OK("many globals");
}

typedef struct {
  int runs;
  sable_global self; /* freed by the finalizer itself */
} weak_state;

static void on_collected(void *data) {
  weak_state *st = (weak_state *)data;
  st->runs++;
}

static void on_collected_free_self(void *data) {
  weak_state *st = (weak_state *)data;
  st->runs++;
  /* Finalizers run outside the GC and may call into the isolate. */
  sable_global_free(iso, st->self);
  st->self = NULL;
  size_t scope = sable_scope_open(iso);
  CHECK(sable_typeof(sable_number(iso, 1)) == SABLE_TYPE_NUMBER);
  sable_scope_close(iso, scope);
}

static void test_weak(void) {
  /* Unreachable: collected, finalizer runs once, get gives undefined. */
  weak_state st = {0, NULL};
  sable_global g = make_tagged("weak");
  sable_global_set_weak(iso, g, &st, on_collected);
  CHECK(st.runs == 0);
  for (int i = 0; i < 5 && st.runs == 0; i++) gc();
  CHECK(st.runs == 1);
  size_t scope = sable_scope_open(iso);
  sable_value v = sable_global_get(iso, g);
  CHECK(v != NULL && sable_typeof(v) == SABLE_TYPE_UNDEFINED);
  sable_scope_close(iso, scope);
  gc();
  CHECK(st.runs == 1); /* only once */
  sable_global_free(iso, g);

  /* Still reachable from JS: kept, no finalizer. */
  weak_state st2 = {0, NULL};
  sable_global g2 = make_tagged("reachable");
  scope = sable_scope_open(iso);
  CHECK_OK(sable_set_named(ctx, sable_context_global(ctx), "keepMe", sable_global_get(iso, g2)));
  sable_scope_close(iso, scope);
  sable_global_set_weak(iso, g2, &st2, on_collected);
  gc();
  gc();
  CHECK(st2.runs == 0);
  CHECK(tag_is(g2, "reachable"));
  /* Dropping the last reference lets it go. */
  EVAL(ctx, "keepMe = undefined;");
  for (int i = 0; i < 5 && st2.runs == 0; i++) gc();
  CHECK(st2.runs == 1);
  sable_global_free(iso, g2);

  /* A finalizer that frees its own global and calls into the isolate. */
  weak_state st3 = {0, NULL};
  st3.self = make_tagged("self-freeing");
  sable_global_set_weak(iso, st3.self, &st3, on_collected_free_self);
  for (int i = 0; i < 5 && st3.runs == 0; i++) gc();
  CHECK(st3.runs == 1);
  CHECK(st3.self == NULL);

  /* A weak global freed before collection: the finalizer never runs. */
  weak_state st4 = {0, NULL};
  sable_global g4 = make_tagged("freed-first");
  sable_global_set_weak(iso, g4, &st4, on_collected);
  sable_global_free(iso, g4);
  gc();
  gc();
  CHECK(st4.runs == 0);

  /* Weak without a finalizer: still collected; get then gives undefined. */
  sable_global g5 = make_tagged("no-finalizer");
  sable_global_set_weak(iso, g5, NULL, NULL);
  CHECK(tag_is(g5, "no-finalizer")); /* alive until a GC */
  gc();
  gc();
  scope = sable_scope_open(iso);
  v = sable_global_get(iso, g5);
  CHECK(v != NULL && sable_typeof(v) == SABLE_TYPE_UNDEFINED);
  sable_scope_close(iso, scope);
  sable_global_free(iso, g5);
  OK("weak globals");
}

static void test_dispose_with_live_globals(void) {
  /* Globals (strong and weak) still alive at dispose: no finalizer runs,
   * nothing leaks (checked under valgrind). */
  sable_isolate *iso2 = new_isolate();
  sable_context *ctx2 = new_context(iso2);
  weak_state st = {0, NULL};
  sable_value o = EVAL(ctx2, "globalThis.held = {x: 1}; held");
  sable_global strong = sable_global_new(iso2, o);
  sable_global weak = sable_global_new(iso2, o);
  CHECK(strong && weak);
  sable_global_set_weak(iso2, weak, &st, on_collected);
  sable_isolate_dispose(iso2);
  CHECK(st.runs == 0);
  CHECK(sable_global_get(iso2, strong) == NULL);
  sable_global_free(iso2, strong); /* isolate gone: ignored */
  OK("dispose with live globals");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  test_strong();
  test_many();
  test_weak();
  test_dispose_with_live_globals();
  sable_isolate_dispose(iso);
  printf("test_globals: all ok\n");
  return 0;
}
