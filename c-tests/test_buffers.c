/* test_buffers.c: ArrayBuffers and typed arrays through the C API.
 * Engine-owned buffers seen from both sides; a 100 MB host buffer handed to
 * a script without a copy (the script writes, the host reads the same
 * memory) whose free callback runs once the buffer dies; detaching; typed
 * arrays made from C and read back; proxies made from C; the is_* checks. */

#include "test_util.h"

static sable_isolate *iso;
static sable_context *ctx;

static int frees;
static void *freed_ptr;
static size_t freed_len;
static void *freed_user;

static void host_free(void *data, size_t len, void *user) {
  frees++;
  freed_ptr = data;
  freed_len = len;
  freed_user = user;
  free(data);
}

static void test_engine_buffer(void) {
  sable_value buf = NULL;
  CHECK_OK(sable_array_buffer_new(ctx, 16, &buf));
  CHECK(sable_is_array_buffer(buf) && !sable_is_typed_array(buf));
  void *data = NULL;
  size_t len = 0;
  CHECK_OK(sable_array_buffer_data(iso, buf, &data, &len));
  CHECK(data != NULL && len == 16);
  ((unsigned char *)data)[3] = 42;
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "buf", buf));
  CHECK_JS(ctx, "buf instanceof ArrayBuffer && buf.byteLength === 16 && new Uint8Array(buf)[3] === 42");
  EVAL(ctx, "new Uint8Array(buf)[4] = 7");
  CHECK(((unsigned char *)data)[4] == 7);
  /* A SharedArrayBuffer is a buffer too. */
  sable_value sab = EVAL(ctx, "new SharedArrayBuffer(8)");
  CHECK(sable_is_array_buffer(sab));
  CHECK_OK(sable_array_buffer_data(iso, sab, NULL, &len));
  CHECK(len == 8);
  CHECK_STATUS(sable_array_buffer_detach(iso, sab), SABLE_INVALID_ARGUMENT);
  OK("engine-owned buffer");
}

static void test_external_100mb(void) {
  const size_t n = (size_t)100 << 20;
  unsigned char *mem = (unsigned char *)malloc(n);
  CHECK(mem != NULL);
  memset(mem, 0, n);
  mem[n - 1] = 9;
  int marker = 0;
  size_t token = sable_scope_open(iso);
  sable_value buf = NULL;
  CHECK_OK(sable_array_buffer_new_external(ctx, mem, n, host_free, &marker, &buf));
  void *data = NULL;
  size_t len = 0;
  CHECK_OK(sable_array_buffer_data(iso, buf, &data, &len));
  CHECK(data == mem && len == n); /* the host's own memory: no copy */
  sable_heap_statistics st;
  st.struct_size = sizeof st;
  CHECK_OK(sable_heap_statistics_get(iso, &st));
  CHECK(st.external_memory >= n);
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "ext", buf));
  /* The script reads what the host wrote and writes where the host reads. */
  CHECK_JS(ctx, "ext.byteLength === 100 * 1024 * 1024 && new Uint8Array(ext)[ext.byteLength - 1] === 9");
  EVAL(ctx, "{ const v = new Uint32Array(ext); v[0] = 0xdeadbeef; v[v.length - 2] = 0x01020304; "
            "new DataView(ext).setUint16(1000, 0xabcd); }");
  uint32_t first, near_end;
  memcpy(&first, mem, 4);
  memcpy(&near_end, mem + n - 8, 4);
  CHECK(first == 0xdeadbeefu && near_end == 0x01020304u);
  CHECK(mem[1000] == 0xab && mem[1001] == 0xcd); /* DataView is big-endian by default */
  CHECK(frees == 0);
  /* Drop every reference; the next collection frees it through the callback. */
  EVAL(ctx, "ext = undefined");
  sable_scope_close(iso, token);
  sable_isolate_collect_garbage(iso);
  CHECK(frees == 1 && freed_ptr == mem && freed_len == n && freed_user == &marker);
  CHECK_OK(sable_heap_statistics_get(iso, &st));
  CHECK(st.external_memory < n);
  OK("100 MB host buffer, zero copy, freed by its callback");
}

static void test_detach(void) {
  unsigned char *mem = (unsigned char *)malloc(64);
  int marker = 0;
  sable_value buf = NULL;
  frees = 0;
  CHECK_OK(sable_array_buffer_new_external(ctx, mem, 64, host_free, &marker, &buf));
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "d", buf));
  EVAL(ctx, "var dview = new Uint8Array(d)");
  CHECK_OK(sable_array_buffer_detach(iso, buf));
  CHECK(frees == 1 && freed_ptr == mem); /* detaching frees host memory now */
  void *data = (void *)1;
  size_t len = 99;
  CHECK_OK(sable_array_buffer_data(iso, buf, &data, &len));
  CHECK(data == NULL && len == 0);
  CHECK_JS(ctx, "d.detached === true && d.byteLength === 0 && dview.length === 0 && dview[0] === undefined");
  CHECK_OK(sable_array_buffer_detach(iso, buf)); /* again: a no-op */
  CHECK(frees == 1);
  /* A host buffer without a callback stays the host's. */
  static unsigned char keep[8];
  CHECK_OK(sable_array_buffer_new_external(ctx, keep, sizeof keep, NULL, NULL, &buf));
  CHECK_OK(sable_array_buffer_detach(iso, buf));
  /* Zero-length external buffers may have a NULL pointer. */
  CHECK_OK(sable_array_buffer_new_external(ctx, NULL, 0, NULL, NULL, &buf));
  OK("detach");
}

static void test_typed_arrays(void) {
  sable_value buf = NULL, ta = NULL;
  CHECK_OK(sable_array_buffer_new(ctx, 32, &buf));
  CHECK_OK(sable_typed_array_new(ctx, SABLE_FLOAT64_ARRAY, buf, 8, 3, &ta));
  CHECK(sable_is_typed_array(ta) && !sable_is_array_buffer(ta));
  sable_value g = sable_context_global(ctx);
  CHECK_OK(sable_set_named(ctx, g, "f64", ta));
  EVAL(ctx, "f64[0] = 1.5; f64[2] = -2");
  CHECK_JS(ctx, "f64 instanceof Float64Array && f64.length === 3 && f64.byteOffset === 8 && f64[1] === 0");
  double *d = NULL;
  CHECK_OK(sable_array_buffer_data(iso, buf, (void **)&d, NULL));
  CHECK(d[1] == 1.5 && d[3] == -2.0);
  sable_typed_array_kind kind = SABLE_INT8_ARRAY;
  sable_value back = NULL;
  size_t off = 0, len = 0;
  CHECK_OK(sable_typed_array_info(iso, ta, &kind, &back, &off, &len));
  CHECK(kind == SABLE_FLOAT64_ARRAY && off == 8 && len == 3);
  CHECK_OK(sable_set_named(ctx, g, "back", back));
  CHECK_JS(ctx, "back === f64.buffer");
  /* Every kind, with its element size; BigInt kinds hold BigInts. */
  const char *names[] = {"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array",
                         "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"};
  for (int k = SABLE_INT8_ARRAY; k <= SABLE_BIGUINT64_ARRAY; k++) {
    CHECK_OK(sable_typed_array_new(ctx, (sable_typed_array_kind)k, buf, 0, 1, &ta));
    CHECK_OK(sable_typed_array_info(iso, ta, &kind, NULL, NULL, &len));
    CHECK((int)kind == k && len == 1);
    CHECK_OK(sable_set_named(ctx, g, "t", ta));
    char src[128];
    snprintf(src, sizeof src, "t.constructor === %s", names[k]);
    CHECK_JS(ctx, src);
  }
  CHECK_JS(ctx, "typeof t[0] === 'bigint'");
  /* A typed array made by a script reports its values to C. */
  sable_value js = EVAL(ctx, "new Int16Array([1, -2, 3]).subarray(1)");
  CHECK_OK(sable_typed_array_info(iso, js, &kind, &back, &off, &len));
  CHECK(kind == SABLE_INT16_ARRAY && off == 2 && len == 2);
  int16_t *p = NULL;
  CHECK_OK(sable_array_buffer_data(iso, back, (void **)&p, NULL));
  CHECK(p[1] == -2 && p[2] == 3);
  OK("typed arrays");
}

static void test_bad_arguments(void) {
  sable_value buf = NULL, out = (sable_value)0x1;
  CHECK_OK(sable_array_buffer_new(ctx, 16, &buf));
  /* Misaligned, past the end, unknown kind, not a buffer. */
  CHECK_STATUS(sable_typed_array_new(ctx, SABLE_INT32_ARRAY, buf, 2, 1, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_typed_array_new(ctx, SABLE_INT32_ARRAY, buf, 4, 4, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_typed_array_new(ctx, SABLE_INT32_ARRAY, buf, 0, SIZE_MAX / 2, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_typed_array_new(ctx, (sable_typed_array_kind)12, buf, 0, 1, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_typed_array_new(ctx, (sable_typed_array_kind)-1, buf, 0, 1, &out), SABLE_INVALID_ARGUMENT);
  sable_value num = sable_number(iso, 1);
  CHECK_STATUS(sable_typed_array_new(ctx, SABLE_INT8_ARRAY, num, 0, 1, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_typed_array_info(iso, buf, NULL, NULL, NULL, NULL), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_array_buffer_data(iso, num, NULL, NULL), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_array_buffer_detach(iso, num), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_array_buffer_new_external(ctx, NULL, 4, NULL, NULL, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_array_buffer_new(ctx, 4, NULL), SABLE_INVALID_ARGUMENT);
  CHECK(out == (sable_value)0x1);
  /* Over the buffer size limit: a RangeError, not a crash. */
  CHECK_STATUS(sable_array_buffer_new(ctx, SIZE_MAX, &out), SABLE_EXCEPTION);
  sable_value exc = NULL;
  CHECK_OK(sable_exception_take(iso, &exc));
  CHECK(!sable_is_typed_array(NULL) && !sable_is_array_buffer(NULL));
  OK("bad arguments");
}

static void test_proxies(void) {
  sable_value target = EVAL(ctx, "({a: 1})");
  sable_value handler = EVAL(ctx, "({get: (t, k) => k === 'b' ? 42 : t[k]})");
  sable_value p = NULL;
  CHECK_OK(sable_proxy_new(ctx, target, handler, &p));
  CHECK(sable_is_proxy(p) && !sable_is_proxy(target) && sable_typeof(p) == SABLE_TYPE_OBJECT);
  sable_value v = NULL;
  CHECK_OK(sable_get_named(ctx, p, "b", &v));
  CHECK(num_of(ctx, v) == 42);
  CHECK_OK(sable_get_named(ctx, p, "a", &v));
  CHECK(num_of(ctx, v) == 1);
  /* A proxy of a function is callable. */
  sable_value f = EVAL(ctx, "(x => x + 1)");
  CHECK_OK(sable_proxy_new(ctx, f, handler, &p));
  CHECK(sable_typeof(p) == SABLE_TYPE_FUNCTION);
  sable_value arg = sable_number(iso, 2), r = NULL;
  CHECK_OK(sable_call(ctx, p, sable_undefined(iso), 1, &arg, &r));
  CHECK(num_of(ctx, r) == 3);
  CHECK(sable_is_proxy(EVAL(ctx, "Proxy.revocable({}, {}).proxy")));
  /* Bad input: a non-object target or handler. */
  sable_value out = (sable_value)0x1;
  CHECK_STATUS(sable_proxy_new(ctx, sable_number(iso, 1), handler, &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_proxy_new(ctx, target, sable_null(iso), &out), SABLE_INVALID_ARGUMENT);
  CHECK_STATUS(sable_proxy_new(ctx, target, handler, NULL), SABLE_INVALID_ARGUMENT);
  CHECK(out == (sable_value)0x1 && !sable_is_proxy(NULL));
  OK("proxies");
}

int main(void) {
  iso = new_isolate();
  ctx = new_context(iso);
  g_ctx = ctx;
  test_engine_buffer();
  test_external_100mb();
  test_detach();
  test_typed_arrays();
  test_bad_arguments();
  test_proxies();
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  printf("test_buffers: all ok\n");
  return 0;
}
