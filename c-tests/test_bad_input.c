/* test_bad_input.c: every Core function with bad input: NULL isolates,
 * contexts, values and out-parameters; foreign pointers; handles of another
 * isolate; disposed isolates and contexts; stale handles of a closed scope;
 * call infos used after their call; values of the wrong type; enum values
 * outside their range. Each gives SABLE_INVALID_ARGUMENT (or NULL / false /
 * 0 / a no-op), leaves out-parameters untouched, and never crashes. Valid
 * isolates keep working afterwards. */

#include "test_util.h"

#define BAD(call) CHECK_STATUS(call, SABLE_INVALID_ARGUMENT)

/* Sentinels for out-parameters: they must survive a failed call. */
#define SENT_V ((sable_value)(uintptr_t)0xDEAD0001u)
#define SENT_D 1234.5

static int not_an_isolate = 42;
static double not_a_context = 4.2;
#define FOREIGN_ISO ((sable_isolate *)&not_an_isolate)
#define FOREIGN_CTX ((sable_context *)&not_a_context)
#define BOGUS_V1 ((sable_value)(uintptr_t)0x1234u)
#define BOGUS_V2 ((sable_value)UINTPTR_MAX)
#define BOGUS_G ((sable_global)(uintptr_t)0x7777u)

static sable_isolate *isoA, *isoB, *isoDead;
static sable_context *ctxA, *ctxB, *ctxDisposed, *ctxDead;
static sable_value bufA, objA, numA, strA, fnA, keyA, objB, strB, fnB, deadV;

/* Checks every value-taking entry point with value `v` (invalid for ctxA/isoA). */
static void check_bad_value(sable_value v, const char *what) {
  fprintf(stderr, "  bad value: %s\n", what);
  sable_value out = SENT_V;
  double d = SENT_D;
  bool b = true;
  size_t len = 77;
  char buf[8];
  /* sable_typeof takes no isolate: a live handle of another isolate still
   * has its type; anything that is not a live handle is undefined. */
  sable_type want = v == objB ? SABLE_TYPE_OBJECT : v == strB ? SABLE_TYPE_STRING : v == fnB ? SABLE_TYPE_FUNCTION : SABLE_TYPE_UNDEFINED;
  CHECK(sable_typeof(v) == want);
  /* None of them is an array, a promise or an error (objB is a plain object). */
  CHECK(!sable_is_array(v) && !sable_is_promise(v) && !sable_is_error(v));
  BAD(sable_to_number(ctxA, v, &d));
  BAD(sable_to_boolean(ctxA, v, &b));
  BAD(sable_to_string(ctxA, v, &out));
  BAD(sable_string_utf8(isoA, v, buf, sizeof buf, &len));
  CHECK(d == SENT_D && b == true && out == SENT_V && len == 77);
  /* as object */
  BAD(sable_get(ctxA, v, keyA, &out));
  BAD(sable_set(ctxA, v, keyA, numA));
  BAD(sable_get_named(ctxA, v, "x", &out));
  BAD(sable_set_named(ctxA, v, "x", numA));
  BAD(sable_get_index(ctxA, v, 0, &out));
  BAD(sable_set_index(ctxA, v, 0, numA));
  BAD(sable_has(ctxA, v, keyA, &b));
  BAD(sable_delete(ctxA, v, keyA, &b));
  BAD(sable_own_keys(ctxA, v, &out));
  /* as key */
  BAD(sable_get(ctxA, objA, v, &out));
  BAD(sable_set(ctxA, objA, v, numA));
  BAD(sable_has(ctxA, objA, v, &b));
  BAD(sable_delete(ctxA, objA, v, &b));
  /* as value */
  BAD(sable_set(ctxA, objA, keyA, v));
  BAD(sable_set_named(ctxA, objA, "x", v));
  BAD(sable_set_index(ctxA, objA, 0, v));
  /* as function, receiver, argument */
  sable_value args[2] = {numA, v};
  BAD(sable_call(ctxA, v, objA, 0, NULL, &out));
  BAD(sable_call(ctxA, fnA, v, 0, NULL, &out));
  BAD(sable_call(ctxA, fnA, objA, 2, args, &out));
  BAD(sable_construct(ctxA, v, 0, NULL, &out));
  BAD(sable_construct(ctxA, fnA, 2, args, &out));
  CHECK(out == SENT_V && b == true);
  /* as BigInt */
  int64_t i64 = 77;
  uint64_t u64 = 77, words[2] = {77, 77};
  size_t nwords = 2;
  int sign = 77;
  BAD(sable_bigint_to_int64(isoA, v, &i64, &b));
  BAD(sable_bigint_to_uint64(isoA, v, &u64, NULL));
  BAD(sable_bigint_to_words(isoA, v, &sign, &nwords, words));
  CHECK(i64 == 77 && u64 == 77 && words[0] == 77 && nwords == 2 && sign == 77 && b == true);
  /* as buffer or typed array */
  void *data = (void *)0x1;
  size_t blen = 77, off = 77;
  CHECK(!sable_is_array_buffer(v) && !sable_is_typed_array(v));
  BAD(sable_array_buffer_data(isoA, v, &data, &blen));
  BAD(sable_array_buffer_detach(isoA, v));
  BAD(sable_typed_array_info(isoA, v, NULL, &out, &off, &blen));
  BAD(sable_typed_array_new(ctxA, SABLE_UINT8_ARRAY, v, 0, 0, &out));
  CHECK(data == (void *)0x1 && blen == 77 && off == 77 && out == SENT_V);
  /* as proxy target or handler */
  CHECK(!sable_is_proxy(v));
  BAD(sable_proxy_new(ctxA, v, objA, &out));
  BAD(sable_proxy_new(ctxA, objA, v, &out));
  CHECK(out == SENT_V);
  /* exceptions and globals */
  BAD(sable_throw(ctxA, v));
  CHECK(!sable_exception_pending(isoA));
  CHECK(sable_global_new(isoA, v) == NULL);
}

static void setup(void) {
  isoA = new_isolate();
  isoB = new_isolate();
  ctxA = new_context(isoA);
  ctxB = new_context(isoB);
  g_ctx = ctxA;
  objA = EVAL(ctxA, "({x: 1})");
  numA = sable_number(isoA, 5);
  strA = sable_string(isoA, "x", 1);
  keyA = sable_string(isoA, "x", 1);
  fnA = EVAL(ctxA, "(function f() { return 1; })");
  bufA = EVAL(ctxA, "new ArrayBuffer(8)");
  objB = EVAL(ctxB, "({x: 1})");
  strB = sable_string(isoB, "b", 1);
  fnB = EVAL(ctxB, "(function g() { return 2; })");
  ctxDisposed = new_context(isoA);
  sable_context_dispose(ctxDisposed);
  isoDead = new_isolate();
  ctxDead = new_context(isoDead);
  deadV = sable_number(isoDead, 1);
  CHECK(deadV != NULL);
  sable_isolate_dispose(isoDead);
}

static void test_isolate_functions(void) {
  sable_isolate *bad_isos[] = {NULL, FOREIGN_ISO, isoDead};
  CHECK(strcmp(sable_status_name((sable_status)8), "SABLE_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(sable_status_name((sable_status)-5), "SABLE_UNKNOWN_STATUS") == 0);
  sable_isolate_params_init(NULL);
  sable_isolate *out = (sable_isolate *)0x1;
  BAD(sable_isolate_new(NULL, NULL));
  sable_isolate_params p;
  sable_isolate_params_init(&p);
  BAD(sable_isolate_new(&p, NULL));
  p.struct_size = 3;
  BAD(sable_isolate_new(&p, &out));
  sable_allocator half = {NULL, NULL, NULL};
  sable_isolate_params_init(&p);
  p.allocator = &half;
  BAD(sable_isolate_new(&p, &out));
  CHECK(out == (sable_isolate *)0x1);

  for (size_t i = 0; i < sizeof bad_isos / sizeof bad_isos[0]; i++) {
    sable_isolate *bi = bad_isos[i];
    sable_context *c = (sable_context *)0x1;
    sable_value v = SENT_V;
    sable_heap_statistics st;
    st.struct_size = sizeof st;
    st.used_heap_size = 99;
    sable_isolate_dispose(bi);
    CHECK(sable_scope_open(bi) == 0);
    sable_scope_close(bi, 0);
    sable_scope_close(bi, 12345);
    CHECK(sable_scope_escape(bi, 0, objA) == NULL);
    CHECK(sable_bigint_from_int64(bi, 1) == NULL && sable_bigint_from_uint64(bi, 1) == NULL);
    uint64_t one = 1;
    BAD(sable_bigint_from_words(bi, 0, 1, &one, &v));
    BAD(sable_array_buffer_data(bi, bufA, NULL, NULL));
    BAD(sable_array_buffer_detach(bi, bufA));
    BAD(sable_typed_array_info(bi, bufA, NULL, NULL, NULL, NULL));
    BAD(sable_context_new(bi, &c));
    CHECK(c == (sable_context *)0x1);
    CHECK(sable_undefined(bi) == NULL);
    CHECK(sable_null(bi) == NULL);
    CHECK(sable_boolean(bi, true) == NULL);
    CHECK(sable_number(bi, 1) == NULL);
    CHECK(sable_string(bi, "a", 1) == NULL);
    size_t len = 77;
    BAD(sable_string_utf8(bi, strA, NULL, 0, &len));
    CHECK(len == 77);
    CHECK(!sable_exception_pending(bi));
    BAD(sable_exception_take(bi, &v));
    CHECK(v == SENT_V);
    CHECK(sable_global_new(bi, objA) == NULL);
    CHECK(sable_global_get(bi, BOGUS_G) == NULL);
    sable_global_set_weak(bi, BOGUS_G, NULL, NULL);
    sable_global_free(bi, BOGUS_G);
    sable_isolate_terminate_execution(bi);
    sable_isolate_cancel_terminate_execution(bi);
    sable_isolate_request_interrupt(bi, NULL, NULL);
    BAD(sable_run_microtasks(bi));
    sable_isolate_collect_garbage(bi);
    BAD(sable_heap_statistics_get(bi, &st));
    CHECK(st.used_heap_size == 99);
  }
  /* Valid isolate, bad other arguments. */
  BAD(sable_context_new(isoA, NULL));
  BAD(sable_exception_take(isoA, NULL));
  sable_value v = SENT_V;
  BAD(sable_exception_take(isoA, &v)); /* nothing pending */
  CHECK(v == SENT_V);
  BAD(sable_heap_statistics_get(isoA, NULL));
  sable_heap_statistics st;
  memset(&st, 0, sizeof st);
  BAD(sable_heap_statistics_get(isoA, &st)); /* struct_size 0 */
  st.struct_size = 4;
  BAD(sable_heap_statistics_get(isoA, &st)); /* smaller than its own size field */
  sable_isolate_request_interrupt(isoA, NULL, NULL);
  CHECK(sable_string(isoA, NULL, 3) == NULL);
  size_t len = 0;
  BAD(sable_string_utf8(isoA, strA, NULL, 0, NULL));
  BAD(sable_string_utf8(isoA, strB, NULL, 0, &len)); /* another isolate's string */
  BAD(sable_string_utf8(isoA, numA, NULL, 0, &len)); /* not a string */
  BAD(sable_string_utf8(isoA, objA, NULL, 0, &len));
  sable_scope_close(isoA, (size_t)-1); /* a token above the top: ignored */
  OK("isolate-level functions");
}

static void test_context_functions(void) {
  sable_context *bad_ctxs[] = {NULL, FOREIGN_CTX, ctxDisposed, ctxDead};
  for (size_t i = 0; i < sizeof bad_ctxs / sizeof bad_ctxs[0]; i++) {
    sable_context *bc = bad_ctxs[i];
    sable_value out = SENT_V;
    double d = SENT_D;
    bool b = true;
    sable_context_dispose(bc); /* ignored, also for a double dispose */
    CHECK(sable_context_isolate(bc) == NULL);
    CHECK(sable_context_global(bc) == NULL);
    BAD(sable_eval(bc, "1", 1, NULL, &out));
    BAD(sable_to_number(bc, numA, &d));
    BAD(sable_to_boolean(bc, numA, &b));
    BAD(sable_to_string(bc, numA, &out));
    BAD(sable_object_new(bc, &out));
    BAD(sable_array_new(bc, 1, &out));
    BAD(sable_get(bc, objA, keyA, &out));
    BAD(sable_set(bc, objA, keyA, numA));
    BAD(sable_get_named(bc, objA, "x", &out));
    BAD(sable_set_named(bc, objA, "x", numA));
    BAD(sable_get_index(bc, objA, 0, &out));
    BAD(sable_set_index(bc, objA, 0, numA));
    BAD(sable_has(bc, objA, keyA, &b));
    BAD(sable_delete(bc, objA, keyA, &b));
    BAD(sable_own_keys(bc, objA, &out));
    BAD(sable_function_new(bc, NULL, NULL, "f", 0, &out));
    BAD(sable_call(bc, fnA, objA, 0, NULL, &out));
    BAD(sable_construct(bc, fnA, 0, NULL, &out));
    BAD(sable_throw(bc, numA));
    BAD(sable_throw_error(bc, SABLE_ERROR, "x"));
    static unsigned char mem[4];
    BAD(sable_array_buffer_new(bc, 4, &out));
    BAD(sable_array_buffer_new_external(bc, mem, sizeof mem, NULL, NULL, &out));
    BAD(sable_typed_array_new(bc, SABLE_UINT8_ARRAY, bufA, 0, 1, &out));
    BAD(sable_proxy_new(bc, objA, objA, &out));
    CHECK(out == SENT_V && d == SENT_D && b == true);
  }
  CHECK(!sable_exception_pending(isoA));
  OK("context-level functions");
}

static sable_status native_nop(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)info, (void)data;
  return SABLE_OK;
}

static void test_null_out_and_args(void) {
  bool b = true;
  sable_value out = SENT_V;
  BAD(sable_eval(ctxA, "1", 1, NULL, NULL));
  BAD(sable_eval(ctxA, NULL, 5, NULL, &out));
  BAD(sable_to_number(ctxA, numA, NULL));
  BAD(sable_to_boolean(ctxA, numA, NULL));
  BAD(sable_to_string(ctxA, numA, NULL));
  BAD(sable_object_new(ctxA, NULL));
  BAD(sable_array_new(ctxA, 0, NULL));
  BAD(sable_get(ctxA, objA, keyA, NULL));
  BAD(sable_get_named(ctxA, objA, "x", NULL));
  BAD(sable_get_named(ctxA, objA, NULL, &out));
  BAD(sable_set_named(ctxA, objA, NULL, numA));
  BAD(sable_get_index(ctxA, objA, 0, NULL));
  BAD(sable_has(ctxA, objA, keyA, NULL));
  BAD(sable_delete(ctxA, objA, keyA, NULL));
  BAD(sable_own_keys(ctxA, objA, NULL));
  BAD(sable_function_new(ctxA, NULL, NULL, "f", 0, &out));
  BAD(sable_function_new(ctxA, native_nop, NULL, "f", 0, NULL));
  BAD(sable_call(ctxA, fnA, objA, 0, NULL, NULL));
  BAD(sable_call(ctxA, fnA, objA, 2, NULL, &out)); /* argc > 0 with NULL argv */
  BAD(sable_construct(ctxA, fnA, 0, NULL, NULL));
  BAD(sable_construct(ctxA, fnA, 1, NULL, &out));
  sable_value big = sable_bigint_from_int64(isoA, -5);
  size_t nwords = 1;
  BAD(sable_bigint_to_int64(isoA, big, NULL, NULL));
  BAD(sable_bigint_to_uint64(isoA, big, NULL, NULL));
  BAD(sable_bigint_to_words(isoA, big, NULL, NULL, NULL));
  BAD(sable_bigint_to_words(isoA, big, NULL, &nwords, NULL)); /* capacity 1 with NULL words */
  BAD(sable_bigint_from_words(isoA, 0, 1, NULL, &out));
  BAD(sable_bigint_from_words(isoA, 0, 0, NULL, NULL));
  BAD(sable_bigint_from_words(isoA, 0, SIZE_MAX, (const uint64_t *)&nwords, &out));
  BAD(sable_bigint_from_words(isoA, 0, ((size_t)1 << 24) + 1, (const uint64_t *)&nwords, &out)); /* over the size limit */
  CHECK(nwords == 1);
  BAD(sable_throw_error(ctxA, (sable_error_kind)7, "x"));
  BAD(sable_throw_error(ctxA, (sable_error_kind)-1, "x"));
  CHECK(out == SENT_V && b == true);
  CHECK(!sable_exception_pending(isoA));
  OK("NULL out-parameters and arguments");
}

static void test_wrong_types(void) {
  sable_value out = SENT_V;
  bool b = true;
  sable_value wrong[] = {numA, strA, sable_undefined(isoA), sable_null(isoA), sable_boolean(isoA, true)};
  for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
    sable_value w = wrong[i];
    BAD(sable_get(ctxA, w, keyA, &out));
    BAD(sable_set(ctxA, w, keyA, numA));
    BAD(sable_get_named(ctxA, w, "x", &out));
    BAD(sable_set_named(ctxA, w, "x", numA));
    BAD(sable_get_index(ctxA, w, 0, &out));
    BAD(sable_set_index(ctxA, w, 0, numA));
    BAD(sable_has(ctxA, w, keyA, &b));
    BAD(sable_delete(ctxA, w, keyA, &b));
    BAD(sable_own_keys(ctxA, w, &out));
    BAD(sable_call(ctxA, w, objA, 0, NULL, &out));
    BAD(sable_construct(ctxA, w, 0, NULL, &out));
    int64_t i64 = 77;
    BAD(sable_bigint_to_int64(isoA, w, &i64, NULL));
    CHECK(i64 == 77);
  }
  BAD(sable_call(ctxA, objA, objA, 0, NULL, &out)); /* an object that is not callable */
  BAD(sable_construct(ctxA, objA, 0, NULL, &out));
  CHECK(out == SENT_V && b == true);
  size_t len = 77;
  BAD(sable_string_utf8(isoA, objA, NULL, 0, &len));
  BAD(sable_string_utf8(isoA, fnA, NULL, 0, &len));
  CHECK(len == 77);
  CHECK(!sable_exception_pending(isoA));
  OK("wrong value types");
}

static void test_bad_values(void) {
  check_bad_value(NULL, "NULL");
  check_bad_value(BOGUS_V1, "bogus small integer");
  check_bad_value(BOGUS_V2, "all bits set");
  check_bad_value(deadV, "handle of a disposed isolate");
  check_bad_value(objB, "object of another isolate");
  check_bad_value(strB, "string of another isolate");
  check_bad_value(fnB, "function of another isolate");
  /* The other direction: A's handles in B. */
  sable_value out = SENT_V;
  BAD(sable_get(ctxB, objA, strB, &out));
  BAD(sable_call(ctxB, fnA, objB, 0, NULL, &out));
  CHECK(out == SENT_V);
  CHECK(sable_global_new(isoB, objA) == NULL);
  CHECK(sable_scope_escape(isoB, sable_scope_open(isoB), objA) == NULL);
  OK("bad and foreign handles");
}

static void test_stale_handles(void) {
  sable_value out = SENT_V;
  bool b = true;
  size_t len = 77;
  size_t scope = sable_scope_open(isoA);
  sable_value staleObj = EVAL(ctxA, "({y: 2})");
  sable_value staleNum = sable_number(isoA, 3);
  sable_value staleFn = EVAL(ctxA, "(() => 3)");
  sable_scope_close(isoA, scope);
  /* No handle is made from here until the checks are done. */
  CHECK(sable_typeof(staleObj) == SABLE_TYPE_UNDEFINED);
  CHECK(sable_typeof(staleNum) == SABLE_TYPE_UNDEFINED);
  CHECK(!sable_is_array(staleObj) && !sable_is_error(staleObj) && !sable_is_promise(staleObj));
  BAD(sable_get(ctxA, staleObj, keyA, &out));
  BAD(sable_get_named(ctxA, staleObj, "y", &out));
  BAD(sable_set_named(ctxA, objA, "y", staleNum));
  BAD(sable_to_string(ctxA, staleNum, &out));
  BAD(sable_string_utf8(isoA, staleNum, NULL, 0, &len));
  BAD(sable_call(ctxA, staleFn, objA, 0, NULL, &out));
  BAD(sable_call(ctxA, fnA, objA, 1, &staleNum, &out));
  BAD(sable_has(ctxA, staleObj, keyA, &b));
  BAD(sable_throw(ctxA, staleObj));
  CHECK(sable_global_new(isoA, staleObj) == NULL);
  CHECK(out == SENT_V && b == true && len == 77);
  /* Escaping a stale handle still closes the scope and gives NULL. */
  size_t s2 = sable_scope_open(isoA);
  CHECK(sable_scope_escape(isoA, s2, staleObj) == NULL);
  CHECK(!sable_exception_pending(isoA));
  OK("stale handles");
}

/* Saves its call info so the test can use it after the call returned. */
static const sable_call_info *saved_info;
static sable_status native_save_info(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)data;
  saved_info = info;
  /* Inside the call: bad handles for the return value are ignored. */
  sable_call_return(info, NULL);
  sable_call_return(info, BOGUS_V1);
  sable_call_return(info, objB);
  return SABLE_OK;
}

/* Tries to dispose its own isolate while running in it: ignored. */
static sable_status native_dispose_self(sable_context *c, const sable_call_info *info, void *data) {
  (void)info, (void)data;
  sable_isolate_dispose(sable_context_isolate(c));
  return SABLE_OK;
}

/* Returns a status outside the enum. */
static sable_status native_weird_status(sable_context *c, const sable_call_info *info, void *data) {
  (void)c, (void)info, (void)data;
  return (sable_status)1234;
}

static void test_call_info(void) {
  /* NULL and foreign call infos. */
  struct {
    void *p[4];
  } fake = {{0, 0, 0, 0}};
  const sable_call_info *bad_infos[] = {NULL, (const sable_call_info *)&fake};
  for (size_t i = 0; i < 2; i++) {
    const sable_call_info *bi = bad_infos[i];
    CHECK(sable_call_argc(bi) == 0);
    CHECK(sable_call_arg(bi, 0) == NULL);
    CHECK(sable_call_this(bi) == NULL);
    CHECK(sable_call_new_target(bi) == NULL);
    sable_call_return(bi, numA);
  }
  /* A call info used after its call returned. */
  sable_value f = NULL;
  CHECK_OK(sable_function_new(ctxA, native_save_info, NULL, "saveInfo", 0, &f));
  CHECK_OK(sable_set_named(ctxA, sable_context_global(ctxA), "saveInfo", f));
  CHECK_JS(ctxA, "saveInfo(1, 2, 3) === undefined");
  CHECK(saved_info != NULL);
  CHECK(sable_call_argc(saved_info) == 0);
  CHECK(sable_call_arg(saved_info, 0) == NULL);
  CHECK(sable_call_this(saved_info) == NULL);
  CHECK(sable_call_new_target(saved_info) == NULL);
  sable_call_return(saved_info, numA);

  /* Disposing the isolate from inside its own callback is ignored. */
  CHECK_OK(sable_function_new(ctxA, native_dispose_self, NULL, "disposeSelf", 0, &f));
  CHECK_OK(sable_set_named(ctxA, sable_context_global(ctxA), "disposeSelf", f));
  CHECK_JS(ctxA, "disposeSelf() === undefined");
  CHECK(sable_context_isolate(ctxA) == isoA);
  CHECK(num_of(ctxA, EVAL(ctxA, "1 + 1")) == 2);

  /* A native function returning a status outside the enum: a TypeError is
   * thrown at the call (catchable in JS), no crash. */
  CHECK_OK(sable_function_new(ctxA, native_weird_status, NULL, "weird", 0, &f));
  CHECK_OK(sable_set_named(ctxA, sable_context_global(ctxA), "weird", f));
  sable_value r = SENT_V;
  CHECK_STATUS(sable_eval(ctxA, "weird()", 7, "weird.js", &r), SABLE_EXCEPTION);
  CHECK(r == SENT_V); /* untouched */
  CHECK_OK(sable_exception_take(isoA, &r));
  CHECK_OK(sable_set_named(ctxA, sable_context_global(ctxA), "weirdError", r));
  CHECK_JS(ctxA, "weirdError instanceof TypeError && weirdError.message === 'host function failed with status InvalidArgument'");
  CHECK_JS(ctxA, "(() => { try { weird(); return false; } catch (e) { return e instanceof TypeError; } })()");
  CHECK(num_of(ctxA, EVAL(ctxA, "2 + 2")) == 4);
  OK("call infos and callback misuse");
}

static void test_globals(void) {
  sable_global gA = sable_global_new(isoA, objA);
  CHECK(gA != NULL);
  sable_global bad_gs[] = {NULL, BOGUS_G, (sable_global)(uintptr_t)UINTPTR_MAX};
  for (size_t i = 0; i < 3; i++) {
    CHECK(sable_global_get(isoA, bad_gs[i]) == NULL);
    sable_global_set_weak(isoA, bad_gs[i], NULL, NULL);
    sable_global_free(isoA, bad_gs[i]);
  }
  /* A's global through isolate B: rejected, and gA stays strong and alive. */
  CHECK(sable_global_get(isoB, gA) == NULL);
  sable_global_set_weak(isoB, gA, NULL, NULL);
  sable_global_free(isoB, gA);
  sable_isolate_collect_garbage(isoA);
  sable_value v = sable_global_get(isoA, gA);
  CHECK(v != NULL && sable_typeof(v) == SABLE_TYPE_OBJECT);
  sable_global_free(isoA, gA);
  CHECK(sable_global_get(isoA, gA) == NULL);
  sable_global_set_weak(isoA, gA, NULL, NULL); /* freed: ignored */
  sable_global_free(isoA, gA);
  OK("bad globals");
}

int main(void) {
  setup();
  test_isolate_functions();
  test_context_functions();
  test_null_out_and_args();
  test_wrong_types();
  test_bad_values();
  test_stale_handles();
  test_call_info();
  test_globals();
  /* Both isolates still work. */
  CHECK(num_of(ctxA, EVAL(ctxA, "objA = 40; objA + 2")) == 42);
  g_ctx = ctxB;
  CHECK(num_of(ctxB, EVAL(ctxB, "1 + 1")) == 2);
  sable_isolate_dispose(isoA);
  sable_isolate_dispose(isoB);
  sable_isolate_dispose(isoA); /* double dispose: ignored */
  printf("test_bad_input: all ok\n");
  return 0;
}
