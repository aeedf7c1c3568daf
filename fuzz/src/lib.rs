//! Shared pieces of the fuzz targets: an isolate with a small heap limit, a
//! step budget and a wall-clock watchdog, all through the public C API, and
//! the rule every target enforces: no call ever reports an internal error.

use std::ffi::c_void;
use std::ptr::null_mut;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use sable::capi::*;

/// Heap limit of every fuzzed isolate: small, so allocation bombs end in
/// `SABLE_OUT_OF_MEMORY` quickly.
pub const HEAP_LIMIT: usize = 32 << 20;

/// Safepoints (function entries and loop back-edges) a script may pass before
/// it is terminated: an infinite loop ends deterministically.
pub const STEP_BUDGET: usize = 20_000;

/// Wall-clock bound of one input, for long builtins that pass no safepoint
/// (termination reaches them through their own polls).
pub const WALL_BUDGET: Duration = Duration::from_millis(1500);

/// Panics (which libFuzzer reports as a crash) unless `s` is a status the
/// C API may legitimately return for fuzzed input.
pub fn check_status(what: &str, s: sable_status) -> sable_status {
    assert!(s != sable_status::SABLE_INTERNAL_ERROR, "{what} returned SABLE_INTERNAL_ERROR (a bug in Sable)");
    s
}

/// The step budget: an interrupt that re-arms itself at every safepoint and
/// terminates the isolate once the count is spent.
pub struct StepBudget {
    left: AtomicUsize,
    /// Whether a tick is queued (false once the budget ran out).
    armed: AtomicBool,
}

impl StepBudget {
    fn new() -> Box<StepBudget> {
        Box::new(StepBudget { left: AtomicUsize::new(STEP_BUDGET), armed: AtomicBool::new(false) })
    }

    /// Refills the budget of `isolate` and queues its tick if none is.
    fn rearm(&self, isolate: *mut sable_isolate) {
        self.left.store(STEP_BUDGET, Ordering::Relaxed);
        if !self.armed.swap(true, Ordering::Relaxed) {
            // SAFETY: the owner keeps the budget alive while the isolate lives.
            unsafe { sable_isolate_request_interrupt(isolate, Some(budget_tick), self as *const StepBudget as *mut c_void) };
        }
    }
}

unsafe extern "C" fn budget_tick(isolate: *mut sable_isolate, data: *mut c_void) {
    // SAFETY: `data` is the StepBudget armed below; the isolate is disposed
    // (dropping the pending request) before the budget is dropped.
    let budget = unsafe { &*(data as *const StepBudget) };
    let left = budget.left.load(Ordering::Relaxed);
    if left == 0 {
        budget.armed.store(false, Ordering::Relaxed);
        // SAFETY: called on the isolate's own thread with its pointer.
        unsafe { sable_isolate_terminate_execution(isolate) };
    } else {
        budget.left.store(left - 1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { sable_isolate_request_interrupt(isolate, Some(budget_tick), data) };
    }
}

/// One isolate and context for one fuzz input, with the budgets armed.
/// Dropping it disposes the isolate.
pub struct FuzzIsolate {
    pub isolate: *mut sable_isolate,
    pub ctx: *mut sable_context,
    budget: Box<StepBudget>,
}

/// The isolates the watchdog thread terminates once their deadline passes.
static WATCHED: Mutex<Vec<(usize, Instant)>> = Mutex::new(Vec::new());

fn start_watchdog() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(20));
                let now = Instant::now();
                for &(iso, deadline) in WATCHED.lock().unwrap().iter() {
                    if now >= deadline {
                        // SAFETY: terminate is safe from any thread, and an
                        // isolate is unwatched (under this lock) before it is
                        // disposed.
                        unsafe { sable_isolate_terminate_execution(iso as *mut sable_isolate) };
                    }
                }
            }
        });
    });
}

/// Arms the step budget and the watchdog for `isolate`: call [`unwatch`]
/// before disposing it, and keep the budget alive until then.
pub fn watch(isolate: *mut sable_isolate) -> Box<StepBudget> {
    start_watchdog();
    let budget = StepBudget::new();
    budget.rearm(isolate);
    WATCHED.lock().unwrap().push((isolate as usize, Instant::now() + WALL_BUDGET));
    budget
}

/// Stops watching `isolate` (before it is disposed).
pub fn unwatch(isolate: *mut sable_isolate) {
    WATCHED.lock().unwrap().retain(|&(iso, _)| iso != isolate as usize);
}

impl FuzzIsolate {
    pub fn new() -> FuzzIsolate {
        let mut params = sable_isolate_params { struct_size: 0, heap_limit_bytes: 0, stack_limit_bytes: 0, allocator: std::ptr::null() };
        let mut isolate = null_mut();
        let mut ctx = null_mut();
        // SAFETY: valid out-pointers and params, initialised by params_init.
        unsafe {
            sable_isolate_params_init(&mut params);
            params.heap_limit_bytes = HEAP_LIMIT;
            assert_eq!(sable_isolate_new(&params, &mut isolate), sable_status::SABLE_OK);
            assert_eq!(sable_context_new(isolate, &mut ctx), sable_status::SABLE_OK);
        }
        let budget = watch(isolate);
        FuzzIsolate { isolate, ctx, budget }
    }

    /// Readies a reused isolate for the next input: a full step budget, a new
    /// wall-clock deadline, and any termination of the last input cancelled.
    pub fn next_input(&self) {
        for (iso, deadline) in WATCHED.lock().unwrap().iter_mut() {
            if *iso == self.isolate as usize {
                *deadline = Instant::now() + WALL_BUDGET;
            }
        }
        // SAFETY: a live isolate of ours.
        unsafe { sable_isolate_cancel_terminate_execution(self.isolate) };
        self.budget.rearm(self.isolate);
    }

    /// Evaluates `src`, then runs the microtasks it queued (both under the
    /// budgets). Returns the eval status.
    pub fn eval(&self, src: &[u8]) -> sable_status {
        let mut result = null_mut();
        // SAFETY: `src` is valid for its length; `result` is a valid out-pointer.
        let s = check_status("sable_eval", unsafe { sable_eval(self.ctx, src.as_ptr().cast(), src.len(), c"fuzz.js".as_ptr(), &mut result) });
        if s == sable_status::SABLE_EXCEPTION {
            self.describe_exception();
        }
        if matches!(s, sable_status::SABLE_OK | sable_status::SABLE_EXCEPTION) {
            // SAFETY: a live isolate.
            check_status("sable_run_microtasks", unsafe { sable_run_microtasks(self.isolate) });
        }
        s
    }

    /// Takes the pending exception and converts it to a string, as a host
    /// printing an error would (this runs user code: toString getters).
    pub fn describe_exception(&self) {
        let mut exc = null_mut();
        // SAFETY: live isolate and context, valid out-pointers.
        unsafe {
            if sable_exception_take(self.isolate, &mut exc) != sable_status::SABLE_OK {
                return;
            }
            let mut text = null_mut();
            let s = check_status("sable_to_string", sable_to_string(self.ctx, exc, &mut text));
            if s == sable_status::SABLE_OK {
                let mut len = 0usize;
                check_status("sable_string_utf8", sable_string_utf8(self.isolate, text, null_mut(), 0, &mut len));
            } else if s == sable_status::SABLE_EXCEPTION {
                let mut again = null_mut();
                sable_exception_take(self.isolate, &mut again);
            }
        }
    }
}

impl Default for FuzzIsolate {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for FuzzIsolate {
    fn drop(&mut self) {
        unwatch(self.isolate);
        // SAFETY: the isolate is live and no longer watched; its pending
        // budget interrupt is dropped with it, before `self.budget`.
        unsafe { sable_isolate_dispose(self.isolate) };
        let _ = &self.budget;
    }
}
