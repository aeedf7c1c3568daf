//! Running recursive Rust code (parsers, regexp compilers) with enough
//! native stack: in place when the current thread has it, otherwise on a
//! fresh stack reserved without committing memory, on a helper thread the
//! caller waits for. Only the pages the work really touches are backed.

/// Runs `work` with at least `need` bytes of native stack. None if a stack
/// that big cannot be reserved (or no thread can be started).
pub fn run_with_native_stack<R, F: FnOnce() -> R>(need: usize, work: F) -> Option<R> {
    if need <= crate::vm::isolate::native_stack_available() {
        return Some(work());
    }
    run_on_fresh_stack(need, work)
}

/// What the helper thread runs and where it leaves the result.
#[cfg(target_os = "linux")]
struct Job<F, R> {
    work: Option<F>,
    result: Option<std::thread::Result<R>>,
}

#[cfg(target_os = "linux")]
extern "C" fn run_job<F: FnOnce() -> R, R>(arg: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: `arg` is the `Job` owned by `run_on_fresh_stack`, which blocks in
    // pthread_join until this function returns, so this is its only user.
    let job = unsafe { &mut *(arg as *mut Job<F, R>) };
    if let Some(work) = job.work.take() {
        // A panic must not unwind out of an extern "C" function: it is carried
        // back to the caller's thread and resumed there.
        job.result = Some(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    }
    std::ptr::null_mut()
}

/// Runs `work` on a new stack of `size` bytes (plus a guard page) and returns
/// its result, or None if the stack or the thread cannot be created.
///
/// `work` need not be `Send`: the calling thread does nothing but wait until
/// it has finished, so whatever it borrows is used by one thread at a time,
/// and the work must keep no thread-local state (callers run parsers and
/// compilers that touch neither the JS heap nor thread-locals).
#[cfg(target_os = "linux")]
fn run_on_fresh_stack<R, F: FnOnce() -> R>(size: usize, work: F) -> Option<R> {
    const PAGE: usize = 4096;
    let size = size.checked_add(2 * PAGE)? & !(PAGE - 1);
    // SAFETY: an anonymous private mapping owned by this function, unmapped
    // after the thread that uses it as its stack has been joined.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return None;
    }
    let mut job = Job { work: Some(work), result: None };
    // SAFETY: the lowest page becomes the guard page; the attribute object
    // is initialised before use and destroyed after; `job` outlives the
    // thread (joined below) and `run_job` is instantiated for its type.
    let started = unsafe {
        libc::mprotect(base, PAGE, libc::PROT_NONE);
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        let mut ok = libc::pthread_attr_init(&mut attr) == 0;
        ok = ok && libc::pthread_attr_setstack(&mut attr, base, size) == 0;
        let mut thread: libc::pthread_t = std::mem::zeroed();
        ok = ok && libc::pthread_create(&mut thread, &attr, run_job::<F, R>, &mut job as *mut Job<F, R> as *mut libc::c_void) == 0;
        libc::pthread_attr_destroy(&mut attr);
        ok && libc::pthread_join(thread, std::ptr::null_mut()) == 0
    };
    // SAFETY: the thread that used the mapping has ended (or never started).
    unsafe { libc::munmap(base, size) };
    if !started {
        return None;
    }
    match job.result? {
        Ok(result) => Some(result),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Without pthreads the work runs in place, with the thread's own stack.
#[cfg(not(target_os = "linux"))]
fn run_on_fresh_stack<R>(_size: usize, work: impl FnOnce() -> R) -> Option<R> {
    Some(work())
}
