//! Running recursive Rust code (parsers, regexp compilers) with enough
//! native stack: in place when the current thread has it, otherwise on a
//! fresh stack reserved without committing memory, on a helper thread the
//! caller waits for. Only the pages the work really touches are backed.
//! Also workers on such stacks that own their work, so a caller may stop
//! waiting for them (a parse whose caller is terminated).

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
    let mut job = Job { work: Some(work), result: None };
    // SAFETY: `run_job` is instantiated for the job's type, and `job` outlives
    // the thread: it is joined right here.
    let worker = unsafe { start_on_fresh_stack(size, run_job::<F, R>, &mut job as *mut Job<F, R> as *mut libc::c_void) }?;
    worker.join();
    match job.result? {
        Ok(result) => Some(result),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Maps a stack of `size` bytes plus a guard page, reserved without
/// committing memory, and starts `entry(arg)` on a thread that uses it. None
/// (and nothing left mapped) if either step fails.
///
/// # Safety
/// `entry(arg)` must be sound to run on another thread until the returned
/// Worker is joined (or dropped, which joins it).
#[cfg(target_os = "linux")]
unsafe fn start_on_fresh_stack(size: usize, entry: extern "C" fn(*mut libc::c_void) -> *mut libc::c_void, arg: *mut libc::c_void) -> Option<Worker> {
    const PAGE: usize = 4096;
    let size = size.checked_add(2 * PAGE)? & !(PAGE - 1);
    // SAFETY: an anonymous private mapping owned by the returned Worker,
    // unmapped only after the thread using it as its stack has been joined.
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
    let mut thread: libc::pthread_t = 0;
    // SAFETY: the lowest page becomes the guard page; the attribute object is
    // initialised before use and destroyed after; the caller vouches for
    // `entry(arg)`.
    let started = unsafe {
        libc::mprotect(base, PAGE, libc::PROT_NONE);
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        let mut ok = libc::pthread_attr_init(&mut attr) == 0;
        ok = ok && libc::pthread_attr_setstack(&mut attr, base, size) == 0;
        ok = ok && libc::pthread_create(&mut thread, &attr, entry, arg) == 0;
        libc::pthread_attr_destroy(&mut attr);
        ok
    };
    if !started {
        // SAFETY: no thread uses the mapping.
        unsafe { libc::munmap(base, size) };
        return None;
    }
    Some(Worker { thread, base, size })
}

/// Without pthreads the work runs in place, with the thread's own stack.
#[cfg(not(target_os = "linux"))]
fn run_on_fresh_stack<R>(_size: usize, work: impl FnOnce() -> R) -> Option<R> {
    Some(work())
}

/// A thread running owned work on a fresh stack, which its starter may wait
/// for ([`Worker::join`]) or leave behind ([`Worker::detach`]) when it has
/// no more use for the result, such as a parse whose caller was terminated.
#[cfg(target_os = "linux")]
pub struct Worker {
    thread: libc::pthread_t,
    base: *mut libc::c_void,
    size: usize,
}

#[cfg(target_os = "linux")]
extern "C" fn run_owned_job<F: FnOnce()>(arg: *mut libc::c_void) -> *mut libc::c_void {
    // SAFETY: `arg` is the `Box<F>` that `spawn_on_fresh_stack` leaked for
    // this thread alone.
    let work = unsafe { Box::from_raw(arg as *mut F) };
    // A panic must not unwind out of an extern "C" function; the work
    // reports its own panics, so one caught here has nowhere to go.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::ptr::null_mut()
}

/// Starts `work` on a new thread with a stack of `size` bytes (plus a guard
/// page), reserved without committing memory. None if the stack or the
/// thread cannot be created. The work owns everything it uses (`'static`)
/// so that it may outlive its starter's interest in it.
#[cfg(target_os = "linux")]
pub fn spawn_on_fresh_stack<F: FnOnce() + Send + 'static>(size: usize, work: F) -> Option<Worker> {
    let job = Box::into_raw(Box::new(work));
    // SAFETY: `run_owned_job` is instantiated for the job's type and takes
    // ownership of it; the job is `Send + 'static`.
    let worker = unsafe { start_on_fresh_stack(size, run_owned_job::<F>, job as *mut libc::c_void) };
    if worker.is_none() {
        // SAFETY: no thread took the job.
        drop(unsafe { Box::from_raw(job) });
    }
    worker
}

#[cfg(target_os = "linux")]
impl Worker {
    /// Waits for the thread to end and frees its stack (what dropping a
    /// Worker does).
    pub fn join(self) {
        drop(self);
    }

    /// Leaves the thread to finish on its own: a small reaper thread joins it
    /// and frees its stack. (Joined here if no reaper can be started.)
    pub fn detach(self) {
        struct Reap(Worker);
        // SAFETY: the pthread handle and mapping are plain data; the reaper
        // is their only user from now on.
        unsafe impl Send for Reap {}
        let reap = Reap(self);
        // If the reaper cannot start, the closure is dropped with the error,
        // and dropping the Worker in it joins the thread here.
        let _ = std::thread::Builder::new().name("sable-reaper".into()).stack_size(64 << 10).spawn(move || {
            let reap = reap;
            reap.0.join();
        });
    }
}

#[cfg(target_os = "linux")]
impl Drop for Worker {
    fn drop(&mut self) {
        // SAFETY: the thread was started by start_on_fresh_stack and is joined
        // once, here; its stack is unmapped after it has ended.
        unsafe {
            libc::pthread_join(self.thread, std::ptr::null_mut());
            libc::munmap(self.base, self.size);
        }
    }
}

/// Elsewhere the worker is a std thread with a stack of the size asked for.
#[cfg(not(target_os = "linux"))]
pub struct Worker(std::thread::JoinHandle<()>);

#[cfg(not(target_os = "linux"))]
pub fn spawn_on_fresh_stack<F: FnOnce() + Send + 'static>(size: usize, work: F) -> Option<Worker> {
    std::thread::Builder::new().stack_size(size).spawn(work).ok().map(Worker)
}

#[cfg(not(target_os = "linux"))]
impl Worker {
    pub fn join(self) {
        let _ = self.0.join();
    }
    pub fn detach(self) {}
}
