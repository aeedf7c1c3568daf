//! Fuzz target: the bytes are a program of C API calls. Each call takes its
//! isolate, context, value, global and scope-token arguments from what earlier
//! calls made (live, disposed, of another isolate, from closed scopes) or from
//! the bytes themselves (NULL, arbitrary pointers and numbers), as a buggy host
//! would. No call may crash, panic or report an internal error, and calls on
//! handles that cannot be valid must say `SABLE_INVALID_ARGUMENT`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sable_fuzz::*;
use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

/// Reads the program: every read past the end gives zeros.
struct Program<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Program<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn u64(&mut self) -> u64 {
        (self.u32() as u64) | ((self.u32() as u64) << 32)
    }
    fn bytes(&mut self, max: usize) -> &[u8] {
        let start = self.pos.min(self.bytes.len());
        let n = (self.u8() as usize % (max + 1)).min(self.bytes.len() - start);
        self.pos += n;
        &self.bytes[start..start + n]
    }
    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// Scripts an `eval` call can pick besides raw bytes: ones that make objects,
/// functions, promises, errors and garbage, and ones that misbehave.
const SCRIPTS: &[&str] = &[
    "({a: 1, b: [1, 2, 3], get c() { return this.a; }})",
    "[1, 'two', {three: 3}, null, undefined, 4.5]",
    "(function f(a, b) { return a + b; })",
    "(class A { constructor(x) { this.x = x; } })",
    "Promise.resolve(42)",
    "new Promise(() => {})",
    "Promise.reject(new Error('no'))",
    "new Error('boom')",
    "throw new TypeError('thrown')",
    "Symbol('s')",
    "'a string ' + 'é\u{1F600}'",
    "new Proxy({}, {})",
    "for (;;) {}",
    "(function r() { return r(); })()",
    "let big = []; for (let i = 0; i < 1e6; i++) big.push({i}); big",
    "'x'.repeat(1 << 24)",
    "globalThis",
    "new Map([[1, 2]])",
    "(async function () { await null; return 7; })()",
    "({ valueOf() { throw 1; }, toString() { throw 2; } })",
    "Object.create(null)",
    "gc && gc()",
];

/// Native functions the program can create; each does something a host does.
unsafe extern "C" fn native_return_arg(ctx: *mut sable_context, info: *const sable_call_info, _: *mut c_void) -> RawStatus {
    // SAFETY: called by Sable with a live info.
    unsafe {
        let _ = ctx;
        sable_call_return(info, sable_call_arg(info, 0));
        let _ = (sable_call_this(info), sable_call_new_target(info), sable_call_arg(info, usize::MAX));
    }
    RawStatus(0)
}

unsafe extern "C" fn native_throw(ctx: *mut sable_context, _: *const sable_call_info, _: *mut c_void) -> RawStatus {
    // SAFETY: a live context during the call.
    RawStatus(unsafe { sable_throw_error(ctx, RawErrorKind(2), c"thrown by the host".as_ptr()) } as i32)
}

unsafe extern "C" fn native_reenter(ctx: *mut sable_context, info: *const sable_call_info, _: *mut c_void) -> RawStatus {
    let src = "[1, 2, 3].map(x => x * 2)";
    let mut out = null_mut();
    // SAFETY: a live context during the call; valid buffers.
    unsafe {
        let s = check_status("nested sable_eval", sable_eval(ctx, src.as_ptr().cast(), src.len(), null_mut(), &mut out));
        if s == sable_status::SABLE_OK {
            sable_isolate_collect_garbage(sable_context_isolate(ctx));
            sable_call_return(info, out);
        }
        RawStatus(s as i32)
    }
}

unsafe extern "C" fn native_bad_status(_: *mut sable_context, _: *const sable_call_info, _: *mut c_void) -> RawStatus {
    RawStatus(1234) // outside the enum: Sable must treat it as a host error
}

unsafe extern "C" fn native_aborted(_: *mut sable_context, _: *const sable_call_info, _: *mut c_void) -> RawStatus {
    RawStatus(sable_status::SABLE_ABORTED as i32)
}

const NATIVES: [sable_native_fn; 5] = [Some(native_return_arg), Some(native_throw), Some(native_reenter), Some(native_bad_status), Some(native_aborted)];

unsafe extern "C" fn interrupt_collect(isolate: *mut sable_isolate, _: *mut c_void) {
    // SAFETY: runs on the isolate's thread with its pointer.
    unsafe { sable_isolate_collect_garbage(isolate) };
}

unsafe extern "C" fn interrupt_terminate(isolate: *mut sable_isolate, _: *mut c_void) {
    // SAFETY: as above.
    unsafe { sable_isolate_terminate_execution(isolate) };
}

unsafe extern "C" fn finalizer(_: *mut c_void) {}

struct Isolate {
    ptr: *mut sable_isolate,
    live: bool,
    _budget: Box<StepBudget>,
}

#[derive(Default)]
struct State {
    isolates: Vec<Isolate>,
    contexts: Vec<*mut sable_context>,
    values: Vec<sable_value>,
    globals: Vec<sable_global>,
    scopes: Vec<(*mut sable_isolate, usize)>,
}

/// Decodes a handle choice from one byte: most bytes pick one of the `len`
/// handles made so far (`nth` fetches it), 250..=255 forge a wild pointer from
/// the next 8 bytes, and the rest pass null.
fn pick<X>(p: &mut Program, len: usize, nth: impl Fn(usize) -> *mut X) -> *mut X {
    let b = p.u8();
    match b {
        0..=239 if len > 0 => nth(b as usize % len),
        250..=255 => p.u64() as usize as *mut X,
        _ => null_mut(),
    }
}

impl State {
    fn isolate(&self, p: &mut Program) -> *mut sable_isolate {
        pick(p, self.isolates.len(), |i| self.isolates[i].ptr)
    }
    fn context(&self, p: &mut Program) -> *mut sable_context {
        pick(p, self.contexts.len(), |i| self.contexts[i])
    }
    fn value(&self, p: &mut Program) -> sable_value {
        pick(p, self.values.len(), |i| self.values[i])
    }
    fn global(&self, p: &mut Program) -> sable_global {
        pick(p, self.globals.len(), |i| self.globals[i])
    }
    fn keep(&mut self, v: sable_value) {
        if !v.is_null() && self.values.len() < 256 {
            self.values.push(v);
        }
    }
    /// Takes (and describes) a pending exception after a call that threw.
    fn settle(&mut self, isolate: *mut sable_isolate, s: sable_status) {
        if s == sable_status::SABLE_EXCEPTION {
            let mut exc = null_mut();
            // SAFETY: any isolate pointer is checked by Sable.
            if unsafe { sable_exception_take(isolate, &mut exc) } == sable_status::SABLE_OK {
                self.keep(exc);
            }
        }
    }
}

fn name_of(p: &mut Program) -> Vec<u8> {
    let mut n = p.bytes(8).to_vec();
    n.retain(|&b| b != 0);
    n.push(0);
    n
}

/// Runs one call of the program.
fn step(st: &mut State, p: &mut Program) {
    let op = p.u8() % 40;
    // SAFETY: every pointer argument is either one Sable checks (isolates,
    // contexts, values, globals, tokens) or a valid buffer/out-pointer of ours.
    unsafe {
        match op {
            0 => {
                if st.isolates.iter().filter(|i| i.live).count() < 3 {
                    let mut params = sable_isolate_params { struct_size: 0, heap_limit_bytes: 0, stack_limit_bytes: 0, allocator: std::ptr::null() };
                    sable_isolate_params_init(&mut params);
                    params.heap_limit_bytes = HEAP_LIMIT;
                    params.struct_size = [params.struct_size, 8, 16, 0][p.u8() as usize % 4];
                    let mut iso = null_mut();
                    if check_status("sable_isolate_new", sable_isolate_new(&params, &mut iso)) == sable_status::SABLE_OK {
                        let budget = watch(iso);
                        st.isolates.push(Isolate { ptr: iso, live: true, _budget: budget });
                    }
                }
            }
            1 => {
                if !st.isolates.is_empty() {
                    let i = p.u8() as usize % st.isolates.len();
                    if st.isolates[i].live {
                        unwatch(st.isolates[i].ptr);
                        sable_isolate_dispose(st.isolates[i].ptr);
                        st.isolates[i].live = false;
                    }
                }
            }
            2 => {
                // Contexts live until their isolate goes, so cap them: past 32
                // an input would spend its time bootstrapping realms.
                let iso = st.isolate(p);
                let mut ctx = null_mut();
                if st.contexts.len() < 32 && check_status("sable_context_new", sable_context_new(iso, &mut ctx)) == sable_status::SABLE_OK {
                    st.contexts.push(ctx);
                }
            }
            3 => sable_context_dispose(st.context(p)),
            4 => {
                let iso = st.isolate(p);
                let token = sable_scope_open(iso);
                st.scopes.push((iso, token));
            }
            5 => {
                let (iso, token) = match st.scopes.pop() {
                    Some(s) if p.u8() < 200 => s,
                    _ => (st.isolate(p), p.u32() as usize),
                };
                sable_scope_close(iso, token);
            }
            6 => {
                if let Some((iso, token)) = st.scopes.pop() {
                    let v = st.value(p);
                    let e = sable_scope_escape(iso, token, v);
                    st.keep(e);
                }
            }
            7 => {
                let iso = st.isolate(p);
                let v = match p.u8() % 5 {
                    0 => sable_undefined(iso),
                    1 => sable_null(iso),
                    2 => sable_boolean(iso, p.u8() & 1 == 1),
                    3 => sable_number(iso, f64::from_bits(p.u64())),
                    _ => {
                        let s = p.bytes(32).to_vec();
                        sable_string(iso, s.as_ptr().cast(), s.len())
                    }
                };
                st.keep(v);
            }
            8 | 9 => {
                let ctx = st.context(p);
                let src: Vec<u8> = if op == 8 { SCRIPTS[p.u8() as usize % SCRIPTS.len()].as_bytes().to_vec() } else { p.bytes(64).to_vec() };
                let mut out = null_mut();
                let s = check_status("sable_eval", sable_eval(ctx, src.as_ptr().cast(), src.len(), null_mut(), &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            10 => {
                let ctx = st.context(p);
                let mut out = null_mut();
                let s = if p.u8() & 1 == 0 { sable_object_new(ctx, &mut out) } else { sable_array_new(ctx, p.u32() % 100_000, &mut out) };
                if check_status("object/array new", s) == sable_status::SABLE_OK {
                    st.keep(out);
                }
            }
            11 => {
                let ctx = st.context(p);
                let (o, k) = (st.value(p), st.value(p));
                let mut out = null_mut();
                let s = check_status("sable_get", sable_get(ctx, o, k, &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            12 => {
                let ctx = st.context(p);
                let (o, k, v) = (st.value(p), st.value(p), st.value(p));
                let s = check_status("sable_set", sable_set(ctx, o, k, v));
                st.settle(sable_context_isolate(ctx), s);
            }
            13 => {
                let ctx = st.context(p);
                let o = st.value(p);
                let name = name_of(p);
                let mut out = null_mut();
                let s = check_status("sable_get_named", sable_get_named(ctx, o, name.as_ptr() as *const c_char, &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            14 => {
                let ctx = st.context(p);
                let (o, v) = (st.value(p), st.value(p));
                let name = name_of(p);
                let s = check_status("sable_set_named", sable_set_named(ctx, o, name.as_ptr() as *const c_char, v));
                st.settle(sable_context_isolate(ctx), s);
            }
            15 => {
                let ctx = st.context(p);
                let o = st.value(p);
                let i = if p.u8() & 1 == 0 { p.u8() as u32 } else { p.u32() };
                let mut out = null_mut();
                let s = check_status("sable_get_index", sable_get_index(ctx, o, i, &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            16 => {
                let ctx = st.context(p);
                let (o, v) = (st.value(p), st.value(p));
                let i = if p.u8() & 1 == 0 { p.u8() as u32 } else { p.u32() };
                let s = check_status("sable_set_index", sable_set_index(ctx, o, i, v));
                st.settle(sable_context_isolate(ctx), s);
            }
            17 | 18 => {
                let ctx = st.context(p);
                let (o, k) = (st.value(p), st.value(p));
                let mut out = false;
                let s = if op == 17 { sable_has(ctx, o, k, &mut out) } else { sable_delete(ctx, o, k, &mut out) };
                let s = check_status("sable_has/delete", s);
                st.settle(sable_context_isolate(ctx), s);
            }
            19 => {
                let ctx = st.context(p);
                let o = st.value(p);
                let mut out = null_mut();
                let s = check_status("sable_own_keys", sable_own_keys(ctx, o, &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            20 => {
                let ctx = st.context(p);
                let v = st.value(p);
                let (mut d, mut b, mut out) = (0f64, false, null_mut());
                let s = match p.u8() % 3 {
                    0 => sable_to_number(ctx, v, &mut d),
                    1 => sable_to_boolean(ctx, v, &mut b),
                    _ => sable_to_string(ctx, v, &mut out),
                };
                let s = check_status("conversion", s);
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            21 => {
                let iso = st.isolate(p);
                let v = st.value(p);
                let cap = p.u8() as usize % 24;
                let mut buf = [0u8; 24];
                let mut len = 0usize;
                let bp = if p.u8() & 1 == 0 { buf.as_mut_ptr() as *mut c_char } else { null_mut() };
                let s = check_status("sable_string_utf8", sable_string_utf8(iso, v, bp, cap, &mut len));
                if s == sable_status::SABLE_OK && !bp.is_null() {
                    assert!(std::str::from_utf8(&buf[..cap.min(len)]).is_ok() || cap < len, "sable_string_utf8 wrote invalid UTF-8");
                }
            }
            22 => {
                let ctx = st.context(p);
                let f = NATIVES[p.u8() as usize % NATIVES.len()];
                let name = name_of(p);
                let mut out = null_mut();
                if check_status("sable_function_new", sable_function_new(ctx, f, null_mut(), name.as_ptr() as *const c_char, p.u8() as u32, &mut out))
                    == sable_status::SABLE_OK
                {
                    st.keep(out);
                }
            }
            23 | 24 => {
                let ctx = st.context(p);
                let f = st.value(p);
                let this = st.value(p);
                let argc = p.u8() as usize % 4;
                let argv: Vec<sable_value> = (0..argc).map(|_| st.value(p)).collect();
                let argv_ptr = if argc == 0 && p.u8() & 1 == 0 { std::ptr::null() } else { argv.as_ptr() };
                let mut out = null_mut();
                let s = if op == 23 { sable_call(ctx, f, this, argc, argv_ptr, &mut out) } else { sable_construct(ctx, f, argc, argv_ptr, &mut out) };
                let s = check_status("sable_call/construct", s);
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            25 => {
                let ctx = st.context(p);
                let s = if p.u8() & 1 == 0 {
                    sable_throw(ctx, st.value(p))
                } else {
                    let msg = name_of(p);
                    sable_throw_error(ctx, RawErrorKind(p.u8() as i32 % 9 - 1), msg.as_ptr() as *const c_char)
                };
                check_status("sable_throw", s);
                if p.u8() & 1 == 0 {
                    st.settle(sable_context_isolate(ctx), sable_status::SABLE_EXCEPTION);
                }
            }
            26 => {
                let iso = st.isolate(p);
                let _ = sable_exception_pending(iso);
                let mut out = null_mut();
                if sable_exception_take(iso, &mut out) == sable_status::SABLE_OK {
                    st.keep(out);
                }
            }
            27 => {
                let iso = st.isolate(p);
                let v = st.value(p);
                let g = sable_global_new(iso, v);
                if !g.is_null() && st.globals.len() < 64 {
                    st.globals.push(g);
                }
            }
            28 => {
                let iso = st.isolate(p);
                let g = st.global(p);
                st.keep(sable_global_get(iso, g));
            }
            29 => {
                let iso = st.isolate(p);
                let g = st.global(p);
                sable_global_set_weak(iso, g, null_mut(), if p.u8() & 1 == 0 { Some(finalizer) } else { None });
            }
            30 => {
                let iso = st.isolate(p);
                let g = st.global(p);
                sable_global_free(iso, g);
            }
            31 => {
                let iso = st.isolate(p);
                match p.u8() % 4 {
                    0 => sable_isolate_terminate_execution(iso),
                    1 => sable_isolate_cancel_terminate_execution(iso),
                    2 => sable_isolate_request_interrupt(iso, Some(interrupt_collect), null_mut()),
                    _ => sable_isolate_request_interrupt(iso, Some(interrupt_terminate), null_mut()),
                }
            }
            32 => {
                let iso = st.isolate(p);
                check_status("sable_run_microtasks", sable_run_microtasks(iso));
            }
            33 => sable_isolate_collect_garbage(st.isolate(p)),
            34 => {
                let iso = st.isolate(p);
                let mut stats: sable_heap_statistics = std::mem::zeroed();
                stats.struct_size = [std::mem::size_of::<sable_heap_statistics>(), 0, 8, 24][p.u8() as usize % 4];
                check_status("sable_heap_statistics_get", sable_heap_statistics_get(iso, &mut stats));
                let n = sable_heap_space_count(iso);
                let mut space: sable_heap_space_statistics = std::mem::zeroed();
                space.struct_size = std::mem::size_of::<sable_heap_space_statistics>();
                check_status("sable_heap_space_statistics_get", sable_heap_space_statistics_get(iso, p.u8() as usize % (n + 2), &mut space));
            }
            35 => {
                let v = st.value(p);
                let _ = (sable_typeof(v), sable_is_array(v), sable_is_promise(v), sable_is_error(v));
            }
            36 => {
                let ctx = st.context(p);
                let g = sable_context_global(ctx);
                st.keep(g);
                let _ = sable_context_isolate(ctx);
            }
            37 => {
                // A handle can only be valid in its own isolate: using one from
                // a disposed isolate must be rejected.
                let v = st.value(p);
                if let Some(dead) = st.isolates.iter().find(|i| !i.live) {
                    let mut len = 0usize;
                    let live_same_address = st.isolates.iter().any(|i| i.live && i.ptr == dead.ptr);
                    let s = sable_string_utf8(dead.ptr, v, null_mut(), 0, &mut len);
                    if !live_same_address {
                        assert_eq!(s, sable_status::SABLE_INVALID_ARGUMENT, "a disposed isolate was accepted");
                    }
                }
            }
            38 => {
                let ctx = st.context(p);
                let mut out = null_mut();
                let s = check_status("sable_query_objects", sable_query_objects(ctx, st.value(p), p.u8() & 1 == 0, &mut out));
                if s == sable_status::SABLE_OK {
                    st.keep(out);
                }
                st.settle(sable_context_isolate(ctx), s);
            }
            _ => {
                let iso = st.isolate(p);
                let delta = (p.u32() as i32 as i64) << (p.u8() % 8);
                let _ = sable_isolate_adjust_external_memory(iso, delta);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut st = State::default();
    let mut p = Program { bytes: data, pos: 0 };
    // Most programs start with an isolate and a context to work on.
    if data.first().is_some_and(|&b| b & 0x80 == 0) {
        p.pos = 1;
        let mut params = sable_isolate_params { struct_size: 0, heap_limit_bytes: 0, stack_limit_bytes: 0, allocator: std::ptr::null() };
        // SAFETY: valid params and out-pointers.
        unsafe {
            sable_isolate_params_init(&mut params);
            params.heap_limit_bytes = HEAP_LIMIT;
            let mut iso = null_mut();
            assert_eq!(sable_isolate_new(&params, &mut iso), sable_status::SABLE_OK);
            let budget = watch(iso);
            st.isolates.push(Isolate { ptr: iso, live: true, _budget: budget });
            let mut ctx = null_mut();
            assert_eq!(sable_context_new(iso, &mut ctx), sable_status::SABLE_OK);
            st.contexts.push(ctx);
        }
    }
    let mut steps = 0;
    while !p.done() && steps < 512 {
        step(&mut st, &mut p);
        steps += 1;
    }
    for iso in st.isolates.iter().filter(|i| i.live) {
        unwatch(iso.ptr);
        // SAFETY: a live isolate of ours, disposed once.
        unsafe { sable_isolate_dispose(iso.ptr) };
    }
});
