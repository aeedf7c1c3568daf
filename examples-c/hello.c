/* hello.c: embedding Sable from C.
 *
 * Build (from the repository root, after `cargo build --release`):
 *   cc -Iinclude examples-c/hello.c target/release/libsable.a -lpthread -ldl -lm -o hello
 * or with CMake against an installed package (see examples-c/CMakeLists.txt).
 *
 * It creates an isolate and a context, evaluates a script and prints the
 * result, then registers a C function as the global `add` and calls it from
 * JavaScript. */

#include <sable.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the pending exception (if any) and exits. Every fallible call
 * returns a sable_status; SABLE_EXCEPTION means a JS exception is pending. */
static void die(sable_context *ctx, sable_status s, const char *what) {
  sable_isolate *iso = sable_context_isolate(ctx);
  fprintf(stderr, "%s failed: %s\n", what, sable_status_name(s));
  sable_value exc = NULL, str = NULL;
  if (s == SABLE_EXCEPTION && sable_exception_take(iso, &exc) == SABLE_OK &&
      sable_to_string(ctx, exc, &str) == SABLE_OK) {
    char buf[256];
    size_t len = 0;
    if (sable_string_utf8(iso, str, buf, sizeof buf - 1, &len) == SABLE_OK) {
      buf[len < sizeof buf - 1 ? len : sizeof buf - 1] = '\0';
      fprintf(stderr, "  %s\n", buf);
    }
  }
  exit(1);
}

/* Prints a value as JavaScript's String(v) would. */
static void print_value(sable_context *ctx, const char *label, sable_value v) {
  sable_isolate *iso = sable_context_isolate(ctx);
  sable_value str = NULL;
  sable_status s = sable_to_string(ctx, v, &str);
  if (s != SABLE_OK) die(ctx, s, "sable_to_string");
  /* Ask for the UTF-8 length first (buf = NULL), then copy. */
  size_t len = 0;
  sable_string_utf8(iso, str, NULL, 0, &len);
  char *buf = malloc(len + 1);
  sable_string_utf8(iso, str, buf, len, &len);
  buf[len] = '\0';
  printf("%s%s\n", label, buf);
  free(buf);
}

/* A native function: add(a, b) returns a + b as numbers. It receives the
 * context it was created in, the call's arguments (sable_call_arg gives
 * undefined past the last one) and the data pointer given at creation. */
static sable_status native_add(sable_context *ctx, const sable_call_info *info, void *data) {
  int *calls = (int *)data;
  ++*calls;
  if (sable_call_argc(info) < 2) {
    /* Throw a JS TypeError; the script can catch it. */
    return sable_throw_error(ctx, SABLE_TYPE_ERROR, "add expects two arguments");
  }
  double a = 0, b = 0;
  sable_status s = sable_to_number(ctx, sable_call_arg(info, 0), &a);
  if (s != SABLE_OK) return s; /* e.g. a throwing valueOf: propagate */
  s = sable_to_number(ctx, sable_call_arg(info, 1), &b);
  if (s != SABLE_OK) return s;
  sable_call_return(info, sable_number(sable_context_isolate(ctx), a + b));
  return SABLE_OK;
}

int main(void) {
  printf("Sable %s (ABI %d)\n", sable_version(), SABLE_ABI_VERSION);

  /* 1. An isolate (a heap; one thread at a time) with default parameters.
   *    sable_isolate_params_init fills the defaults; set fields to taste. */
  sable_isolate_params params;
  sable_isolate_params_init(&params);
  params.heap_limit_bytes = 256u << 20; /* 256 MiB */
  sable_isolate *iso = NULL;
  sable_status s = sable_isolate_new(&params, &iso);
  if (s != SABLE_OK) {
    fprintf(stderr, "sable_isolate_new: %s\n", sable_status_name(s));
    return 1;
  }

  /* 2. A context: a realm with its own global object. */
  sable_context *ctx = NULL;
  s = sable_context_new(iso, &ctx);
  if (s != SABLE_OK) {
    fprintf(stderr, "sable_context_new: %s\n", sable_status_name(s));
    return 1;
  }

  /* Handles (sable_value) live until their scope closes; a scope around the
   * work keeps long-running hosts from accumulating them. */
  size_t scope = sable_scope_open(iso);

  /* 3. Evaluate a script and print its completion value. The name is used in
   *    stack traces. */
  const char *src = "const greet = (n) => `Hello, ${n}!`; greet('C')";
  sable_value result = NULL;
  s = sable_eval(ctx, src, strlen(src), "hello.js", &result);
  if (s != SABLE_OK) die(ctx, s, "sable_eval");
  print_value(ctx, "script says: ", result);

  /* 4. Register a C function as the global `add` and call it from JS. */
  int calls = 0;
  sable_value add = NULL;
  s = sable_function_new(ctx, native_add, &calls, "add", 2, &add);
  if (s != SABLE_OK) die(ctx, s, "sable_function_new");
  s = sable_set_named(ctx, sable_context_global(ctx), "add", add);
  if (s != SABLE_OK) die(ctx, s, "sable_set_named");

  const char *use = "[add(2, 3), add(0.5, 0.25), [1, 2, 3].reduce(add)].join(' ')";
  s = sable_eval(ctx, use, strlen(use), "use_add.js", &result);
  if (s != SABLE_OK) die(ctx, s, "sable_eval");
  print_value(ctx, "add from JS: ", result);

  /* Exceptions thrown by C are ordinary JS exceptions. */
  const char *catching = "try { add(1) } catch (e) { `caught ${e.name}: ${e.message}` }";
  s = sable_eval(ctx, catching, strlen(catching), "catch.js", &result);
  if (s != SABLE_OK) die(ctx, s, "sable_eval");
  print_value(ctx, "", result);
  printf("add was called %d times\n", calls);

  /* 5. Clean up: closing the scope releases the handles; disposing the
   *    isolate destroys its contexts too. */
  sable_scope_close(iso, scope);
  sable_context_dispose(ctx);
  sable_isolate_dispose(iso);
  return 0;
}
