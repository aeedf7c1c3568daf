/* test_util.h: tiny assertion helpers shared by the C API tests.
 *
 * Every check prints "file:line: what failed" (with the pending JS exception,
 * if any) and exits with status 1; passing steps print "ok <name>". */

#ifndef SABLE_TEST_UTIL_H
#define SABLE_TEST_UTIL_H

#include <sable.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Milliseconds on the monotonic clock. */
static inline double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Running under valgrind (SABLE_VALGRIND=1), the sanitizers (SABLE_SANITIZE=1)
 * or SABLE_GC_STRESS=1: timings
 * mean nothing there, and costly set-ups take hours. */
static inline int under_instrumentation(void) {
  const char *stress = getenv("SABLE_GC_STRESS");
  const char *valgrind = getenv("SABLE_VALGRIND");
  const char *sanitize = getenv("SABLE_SANITIZE");
  return (stress && strcmp(stress, "1") == 0) || (valgrind && strcmp(valgrind, "1") == 0) ||
         (sanitize && strcmp(sanitize, "1") == 0);
}

/* The context most helpers use to describe exceptions (set by each test). */
static sable_context *g_ctx;

static inline void fail_at(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
  if (g_ctx) {
    sable_isolate *iso = sable_context_isolate(g_ctx);
    if (iso && sable_exception_pending(iso)) {
      sable_value e = NULL, s = NULL;
      char buf[512];
      size_t len = 0;
      if (sable_exception_take(iso, &e) == SABLE_OK && sable_to_string(g_ctx, e, &s) == SABLE_OK &&
          sable_string_utf8(iso, s, buf, sizeof buf - 1, &len) == SABLE_OK) {
        buf[len < sizeof buf - 1 ? len : sizeof buf - 1] = 0;
        fprintf(stderr, "  pending exception: %s\n", buf);
      }
    }
  }
  fflush(stdout);
  exit(1);
}

#define CHECK(cond)                              \
  do {                                           \
    if (!(cond)) fail_at(__FILE__, __LINE__, #cond); \
  } while (0)

#define CHECK_STATUS(call, expected)                                                           \
  do {                                                                                         \
    sable_status st_ = (call);                                                                 \
    if (st_ != (expected)) {                                                                   \
      char msg_[512];                                                                          \
      snprintf(msg_, sizeof msg_, "%s returned %s, expected %s", #call, sable_status_name(st_), \
               sable_status_name(expected));                                                   \
      fail_at(__FILE__, __LINE__, msg_);                                                       \
    }                                                                                          \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, SABLE_OK)

#define OK(name)              \
  do {                        \
    printf("ok %s\n", name);  \
    fflush(stdout);           \
  } while (0)

/* Creates an isolate with default params (exits on failure). */
static inline sable_isolate *new_isolate(void) {
  sable_isolate *iso = NULL;
  CHECK_OK(sable_isolate_new(NULL, &iso));
  CHECK(iso != NULL);
  return iso;
}

static inline sable_context *new_context(sable_isolate *iso) {
  sable_context *ctx = NULL;
  CHECK_OK(sable_context_new(iso, &ctx));
  CHECK(ctx != NULL);
  return ctx;
}

/* Evaluates src (exits on any failure). */
static inline sable_value eval_at(const char *file, int line, sable_context *ctx, const char *src) {
  sable_value r = NULL;
  sable_status s = sable_eval(ctx, src, strlen(src), "test.js", &r);
  if (s != SABLE_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "eval of `%s` returned %s", src, sable_status_name(s));
    sable_context *saved = g_ctx;
    g_ctx = ctx;
    fail_at(file, line, msg);
    g_ctx = saved;
  }
  return r;
}
#define EVAL(ctx, src) eval_at(__FILE__, __LINE__, ctx, src)

/* The status of evaluating src; the result (if any) goes to *out. */
static inline sable_status eval_status(sable_context *ctx, const char *src, sable_value *out) {
  sable_value r = NULL;
  sable_status s = sable_eval(ctx, src, strlen(src), "test.js", &r);
  if (out) *out = r;
  return s;
}

/* Copies a string value into a malloc'ed NUL-terminated buffer (NULL if not a string). */
static inline char *utf8_dup(sable_isolate *iso, sable_value v) {
  size_t len = 0;
  if (sable_string_utf8(iso, v, NULL, 0, &len) != SABLE_OK) return NULL;
  char *buf = (char *)malloc(len + 1);
  size_t len2 = 0;
  if (sable_string_utf8(iso, v, buf, len, &len2) != SABLE_OK || len2 != len) {
    free(buf);
    return NULL;
  }
  buf[len] = 0;
  return buf;
}

/* True if v is a string whose UTF-8 equals the NUL-terminated `expected`. */
static inline int str_is(sable_isolate *iso, sable_value v, const char *expected) {
  char *s = utf8_dup(iso, v);
  int eq = s && strcmp(s, expected) == 0;
  if (s && !eq) fprintf(stderr, "  string is \"%s\", expected \"%s\"\n", s, expected);
  free(s);
  return eq;
}

/* The number value of v (NaN for non-numbers, via ToNumber). */
static inline double num_of(sable_context *ctx, sable_value v) {
  double d = NAN;
  if (sable_to_number(ctx, v, &d) != SABLE_OK) return NAN;
  return d;
}

/* True if evaluating src gives exactly `true`. */
static inline int js_true(sable_context *ctx, const char *src) {
  sable_value r = NULL;
  bool b = false;
  if (eval_status(ctx, src, &r) != SABLE_OK) return 0;
  if (sable_typeof(r) != SABLE_TYPE_BOOLEAN) return 0;
  return sable_to_boolean(ctx, r, &b) == SABLE_OK && b;
}
static inline void check_js_at(const char *file, int line, sable_context *ctx, const char *src) {
  sable_context *saved = g_ctx;
  g_ctx = ctx;
  if (!js_true(ctx, src)) {
    char msg[1024];
    snprintf(msg, sizeof msg, "JS: %s", src);
    fail_at(file, line, msg);
  }
  g_ctx = saved;
}
#define CHECK_JS(ctx, src) check_js_at(__FILE__, __LINE__, (ctx), (src))

#endif /* SABLE_TEST_UTIL_H */
