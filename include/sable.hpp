// sable.hpp: C++17 RAII wrappers over the Sable C API (sable.h).
//
// Hand-written, header-only, no dependencies beyond the standard library.
//
// Error handling: every call whose sable_status is not SABLE_OK throws
// sable::Error, which carries the status. For SABLE_EXCEPTION the pending JS
// exception is taken (cleared) from the isolate; Error::what() is its string
// conversion (String(e)), Error::stack() its `stack` property when it has
// one, and Error::exception() a persistent handle to the value, so it can be
// inspected or re-thrown (native functions made with Context::function
// re-throw it into JS automatically). Functions of the C API that report
// failure with NULL instead of a status (value constructors, Global) throw
// Error(SABLE_INVALID_ARGUMENT).
//
// Ownership: sable::Isolate, sable::Context, sable::Scope and sable::Global
// are move-only and release what they own in their destructors. Values
// (sable_value) stay plain C handles valid until their handle scope closes;
// open a sable::Scope around work that creates many of them.
//
// Lifetime: destroying an Isolate disposes its contexts too; Context and
// Global objects that outlive it are harmless (the C API ignores disposed
// pointers).

#ifndef SABLE_HPP
#define SABLE_HPP

#include <sable.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sable {

class Global;

/// A failed call: the status and, for SABLE_EXCEPTION, the JS exception.
class Error : public std::runtime_error {
 public:
  Error(sable_status status, const std::string &message, std::string stack = {},
        std::shared_ptr<Global> exception = {})
      : std::runtime_error(message),
        status_(status),
        stack_(std::move(stack)),
        exception_(std::move(exception)) {}

  /// The status of the failed call.
  sable_status status() const noexcept { return status_; }
  /// The `stack` property of the JS exception, if it had a string one.
  const std::string &stack() const noexcept { return stack_; }
  /// The JS exception (SABLE_EXCEPTION only; may be null otherwise).
  const std::shared_ptr<Global> &exception() const noexcept { return exception_; }

 private:
  sable_status status_;
  std::string stack_;
  std::shared_ptr<Global> exception_;
};

/// A persistent handle: keeps a value alive across scopes until destroyed.
class Global {
 public:
  Global() = default;
  /// Throws Error(SABLE_INVALID_ARGUMENT) for an invalid isolate or value.
  Global(sable_isolate *isolate, sable_value v) : isolate_(isolate), g_(sable_global_new(isolate, v)) {
    if (!g_) throw Error(SABLE_INVALID_ARGUMENT, "sable_global_new failed");
  }
  ~Global() { reset(); }
  Global(const Global &) = delete;
  Global &operator=(const Global &) = delete;
  Global(Global &&o) noexcept : isolate_(o.isolate_), g_(std::exchange(o.g_, nullptr)) {}
  Global &operator=(Global &&o) noexcept {
    if (this != &o) {
      reset();
      isolate_ = o.isolate_;
      g_ = std::exchange(o.g_, nullptr);
    }
    return *this;
  }

  /// The value as a handle in the current scope (undefined once a weak
  /// global's value was collected).
  sable_value get() const { return sable_global_get(isolate_, g_); }
  /// Makes the global weak; `cb(data)` runs after the value is collected.
  void set_weak(void *data, sable_finalizer cb) { sable_global_set_weak(isolate_, g_, data, cb); }
  /// Frees the global now.
  void reset() noexcept {
    if (g_) sable_global_free(isolate_, std::exchange(g_, nullptr));
  }
  bool empty() const noexcept { return g_ == nullptr; }
  sable_global raw() const noexcept { return g_; }

 private:
  sable_isolate *isolate_ = nullptr;
  sable_global g_ = nullptr;
};

namespace detail {

/// Copies a string handle's UTF-8 (empty for a non-string).
inline std::string utf8(sable_isolate *iso, sable_value s) {
  size_t len = 0;
  if (sable_string_utf8(iso, s, nullptr, 0, &len) != SABLE_OK) return {};
  std::string out(len, '\0');
  if (len && sable_string_utf8(iso, s, &out[0], len, &len) != SABLE_OK) return {};
  return out;
}

/// Builds the Error for a non-OK status, taking the pending exception.
/// `ctx` (may be null) is used to convert the exception to a string.
[[noreturn]] inline void throw_status(sable_status s, sable_isolate *iso, sable_context *ctx) {
  if (s != SABLE_EXCEPTION) throw Error(s, sable_status_name(s));
  size_t scope = sable_scope_open(iso);
  sable_value exc = nullptr;
  std::string message = "uncaught JS exception";
  std::string stack;
  std::shared_ptr<Global> held;
  if (sable_exception_take(iso, &exc) == SABLE_OK) {
    try {
      held = std::make_shared<Global>(iso, exc);
    } catch (const Error &) {
    }
    sable_value str = nullptr;
    if (sable_typeof(exc) == SABLE_TYPE_STRING) {
      message = utf8(iso, exc);
    } else if (ctx && sable_to_string(ctx, exc, &str) == SABLE_OK) {
      message = utf8(iso, str);
    } else {
      sable_value ignored = nullptr;
      (void)sable_exception_take(iso, &ignored);  // toString threw
    }
    sable_value st = nullptr;
    if (ctx && sable_typeof(exc) == SABLE_TYPE_OBJECT &&
        sable_get_named(ctx, exc, "stack", &st) == SABLE_OK && sable_typeof(st) == SABLE_TYPE_STRING) {
      stack = utf8(iso, st);
    } else if (sable_exception_pending(iso)) {
      sable_value ignored = nullptr;
      (void)sable_exception_take(iso, &ignored);  // the getter threw
    }
  }
  sable_scope_close(iso, scope);
  throw Error(s, message, std::move(stack), std::move(held));
}

inline void check(sable_status s, sable_isolate *iso, sable_context *ctx = nullptr) {
  if (s != SABLE_OK) throw_status(s, iso, ctx);
}

inline sable_value nonnull(sable_value v, const char *what) {
  if (!v) throw Error(SABLE_INVALID_ARGUMENT, what);
  return v;
}

}  // namespace detail

/// The arguments of a native call.
class CallInfo {
 public:
  explicit CallInfo(const sable_call_info *info) : info_(info) {}
  /// The number of arguments passed.
  size_t size() const { return sable_call_argc(info_); }
  /// Argument `i` (undefined past size()).
  sable_value operator[](size_t i) const { return sable_call_arg(info_, i); }
  /// The receiver.
  sable_value this_value() const { return sable_call_this(info_); }
  /// `new.target` (undefined unless called with `new`).
  sable_value new_target() const { return sable_call_new_target(info_); }
  const sable_call_info *raw() const { return info_; }

 private:
  const sable_call_info *info_;
};

/// A native function body: returns the result (nullptr means undefined).
/// Throwing sable::Error re-throws its JS exception (or returns its status);
/// other C++ exceptions become a JS Error with their what().
using NativeFunction = std::function<sable_value(sable_context *ctx, const CallInfo &info)>;

namespace detail {

/// Storage shared by an Isolate and its Contexts: native functions must
/// outlive every JS function that refers to them, i.e. the isolate.
struct IsolateState {
  sable_isolate *isolate = nullptr;
  std::vector<std::unique_ptr<NativeFunction>> functions;
};

inline sable_status call_native(sable_context *ctx, const sable_call_info *info, void *data) noexcept {
  auto *fn = static_cast<NativeFunction *>(data);
  try {
    sable_value r = (*fn)(ctx, CallInfo(info));
    if (r) sable_call_return(info, r);
    return SABLE_OK;
  } catch (const Error &e) {
    if (e.status() == SABLE_EXCEPTION && e.exception()) return sable_throw(ctx, e.exception()->get());
    if (e.status() == SABLE_EXCEPTION) return sable_throw_error(ctx, SABLE_ERROR, e.what());
    return e.status();
  } catch (const std::exception &e) {
    return sable_throw_error(ctx, SABLE_ERROR, e.what());
  } catch (...) {
    return sable_throw_error(ctx, SABLE_ERROR, "unknown C++ exception");
  }
}

}  // namespace detail

/// An isolate: one heap, one thread at a time. Disposed on destruction.
class Isolate {
 public:
  /// Creates an isolate; `params` may be null (defaults).
  explicit Isolate(const sable_isolate_params *params = nullptr) : state_(std::make_shared<detail::IsolateState>()) {
    sable_isolate *iso = nullptr;
    sable_status s = sable_isolate_new(params, &iso);
    if (s != SABLE_OK) throw Error(s, std::string("sable_isolate_new: ") + sable_status_name(s));
    state_->isolate = iso;
  }
  /// Creates an isolate with a heap limit (bytes, 0 = default).
  static Isolate with_heap_limit(size_t heap_limit_bytes) {
    sable_isolate_params p;
    sable_isolate_params_init(&p);
    p.heap_limit_bytes = heap_limit_bytes;
    return Isolate(&p);
  }
  ~Isolate() {
    if (state_ && state_->isolate) sable_isolate_dispose(std::exchange(state_->isolate, nullptr));
  }
  Isolate(const Isolate &) = delete;
  Isolate &operator=(const Isolate &) = delete;
  Isolate(Isolate &&) noexcept = default;
  Isolate &operator=(Isolate &&o) noexcept {
    if (this != &o) {
      if (state_ && state_->isolate) sable_isolate_dispose(state_->isolate);
      state_ = std::move(o.state_);
    }
    return *this;
  }

  sable_isolate *get() const noexcept { return state_ ? state_->isolate : nullptr; }
  operator sable_isolate *() const noexcept { return get(); }

  sable_value undefined() const { return detail::nonnull(sable_undefined(get()), "sable_undefined"); }
  sable_value null() const { return detail::nonnull(sable_null(get()), "sable_null"); }
  sable_value boolean(bool b) const { return detail::nonnull(sable_boolean(get(), b), "sable_boolean"); }
  sable_value number(double d) const { return detail::nonnull(sable_number(get(), d), "sable_number"); }
  sable_value string(std::string_view s) const {
    return detail::nonnull(sable_string(get(), s.data(), s.size()), "sable_string");
  }
  /// The UTF-8 of a string value; throws for a non-string.
  std::string utf8(sable_value s) const {
    size_t len = 0;
    detail::check(sable_string_utf8(get(), s, nullptr, 0, &len), get());
    std::string out(len, '\0');
    if (len) detail::check(sable_string_utf8(get(), s, &out[0], len, &len), get());
    return out;
  }

  void run_microtasks() const { detail::check(sable_run_microtasks(get()), get()); }
  void collect_garbage() const { sable_isolate_collect_garbage(get()); }
  /// Any thread.
  void terminate_execution() const { sable_isolate_terminate_execution(get()); }
  void cancel_terminate_execution() const { sable_isolate_cancel_terminate_execution(get()); }
  /// Any thread.
  void request_interrupt(sable_interrupt_cb cb, void *data) const { sable_isolate_request_interrupt(get(), cb, data); }
  sable_heap_statistics heap_statistics() const {
    sable_heap_statistics st{};
    st.struct_size = sizeof st;
    detail::check(sable_heap_statistics_get(get(), &st), get());
    return st;
  }
  /// True if a JS exception is pending.
  bool exception_pending() const { return sable_exception_pending(get()); }

 private:
  friend class Context;
  std::shared_ptr<detail::IsolateState> state_;
};

/// A handle scope: closes on destruction, invalidating the handles made in it.
class Scope {
 public:
  explicit Scope(sable_isolate *isolate) : isolate_(isolate), token_(sable_scope_open(isolate)) {}
  ~Scope() {
    if (open_) sable_scope_close(isolate_, token_);
  }
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

  /// Closes the scope now, keeping `v` alive in the outer scope.
  sable_value escape(sable_value v) {
    open_ = false;
    return sable_scope_escape(isolate_, token_, v);
  }

 private:
  sable_isolate *isolate_;
  size_t token_;
  bool open_ = true;
};

/// A context (realm). Disposed on destruction.
class Context {
 public:
  explicit Context(Isolate &isolate) : state_(isolate.state_) {
    detail::check(sable_context_new(isolate.get(), &ctx_), isolate.get());
  }
  ~Context() {
    if (ctx_) sable_context_dispose(ctx_);
  }
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;
  Context(Context &&o) noexcept : state_(std::move(o.state_)), ctx_(std::exchange(o.ctx_, nullptr)) {}
  Context &operator=(Context &&o) noexcept {
    if (this != &o) {
      if (ctx_) sable_context_dispose(ctx_);
      state_ = std::move(o.state_);
      ctx_ = std::exchange(o.ctx_, nullptr);
    }
    return *this;
  }

  sable_context *get() const noexcept { return ctx_; }
  operator sable_context *() const noexcept { return ctx_; }
  sable_isolate *isolate() const noexcept { return sable_context_isolate(ctx_); }

  /// Runs a classic script and returns its completion value.
  sable_value eval(std::string_view src, const char *name = nullptr) const {
    sable_value r = nullptr;
    check(sable_eval(ctx_, src.data(), src.size(), name, &r));
    return r;
  }
  sable_value global() const { return detail::nonnull(sable_context_global(ctx_), "sable_context_global"); }
  sable_value object() const {
    sable_value r = nullptr;
    check(sable_object_new(ctx_, &r));
    return r;
  }
  sable_value array(uint32_t length = 0) const {
    sable_value r = nullptr;
    check(sable_array_new(ctx_, length, &r));
    return r;
  }
  sable_value get(sable_value obj, const char *name) const {
    sable_value r = nullptr;
    check(sable_get_named(ctx_, obj, name, &r));
    return r;
  }
  sable_value get(sable_value obj, uint32_t index) const {
    sable_value r = nullptr;
    check(sable_get_index(ctx_, obj, index, &r));
    return r;
  }
  sable_value get(sable_value obj, sable_value key) const {
    sable_value r = nullptr;
    check(sable_get(ctx_, obj, key, &r));
    return r;
  }
  void set(sable_value obj, const char *name, sable_value v) const { check(sable_set_named(ctx_, obj, name, v)); }
  void set(sable_value obj, uint32_t index, sable_value v) const { check(sable_set_index(ctx_, obj, index, v)); }
  void set(sable_value obj, sable_value key, sable_value v) const { check(sable_set(ctx_, obj, key, v)); }
  sable_value call(sable_value fn, sable_value this_arg, std::initializer_list<sable_value> args = {}) const {
    sable_value r = nullptr;
    check(sable_call(ctx_, fn, this_arg, args.size(), args.begin(), &r));
    return r;
  }
  sable_value construct(sable_value ctor, std::initializer_list<sable_value> args = {}) const {
    sable_value r = nullptr;
    check(sable_construct(ctx_, ctor, args.size(), args.begin(), &r));
    return r;
  }
  double to_number(sable_value v) const {
    double d = 0;
    check(sable_to_number(ctx_, v, &d));
    return d;
  }
  bool to_boolean(sable_value v) const {
    bool b = false;
    check(sable_to_boolean(ctx_, v, &b));
    return b;
  }
  /// String(v) as UTF-8.
  std::string to_string(sable_value v) const {
    sable_value s = nullptr;
    check(sable_to_string(ctx_, v, &s));
    return detail::utf8(state_->isolate, s);
  }
  /// Creates a JS function backed by `fn` (kept alive as long as the isolate).
  sable_value function(const char *name, NativeFunction fn, uint32_t length = 0) const {
    state_->functions.push_back(std::make_unique<NativeFunction>(std::move(fn)));
    sable_value r = nullptr;
    check(sable_function_new(ctx_, detail::call_native, state_->functions.back().get(), name, length, &r));
    return r;
  }
  /// Creates a function and stores it as a property of the global object.
  void set_global_function(const char *name, NativeFunction fn, uint32_t length = 0) const {
    set(global(), name, function(name, std::move(fn), length));
  }

 private:
  void check(sable_status s) const { detail::check(s, state_->isolate, ctx_); }

  std::shared_ptr<detail::IsolateState> state_;
  sable_context *ctx_ = nullptr;
};

}  // namespace sable

#endif  // SABLE_HPP
