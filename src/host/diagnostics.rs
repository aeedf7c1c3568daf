//! The shell's heap-snapshot triggers, as Node's flags: a snapshot on a
//! signal (`--heapsnapshot-signal=SIGNAL`, written at the next safepoint),
//! near the heap limit (`--heapsnapshot-near-heap-limit=N`) and at the moment
//! of out-of-memory (`--heap-snapshot-on-oom`). Files get Node's diagnostic
//! names in the current directory.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use crate::api::{Isolate, SnapshotFileError, SnapshotReport};

/// The write end of the signal pipe (-1 until a signal trigger is installed).
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);
/// Set when a signal snapshot waits for the isolate: the event loop stops
/// sleeping so that a safepoint comes soon.
static WAKE: AtomicBool = AtomicBool::new(false);

/// Whether a snapshot request is waiting (clears the flag).
pub fn take_wake_request() -> bool {
    WAKE.swap(false, Ordering::SeqCst)
}

/// The signal number of a name such as `SIGUSR2` (or `USR2`, or a number).
pub fn signal_number(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (1..=64).contains(&n).then_some(n);
    }
    let bare = name.strip_prefix("SIG").unwrap_or(name);
    Some(match bare {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "ALRM" => libc::SIGALRM,
        "TERM" => libc::SIGTERM,
        "CONT" => libc::SIGCONT,
        "TSTP" => libc::SIGTSTP,
        "WINCH" => libc::SIGWINCH,
        "PROF" => libc::SIGPROF,
        "URG" => libc::SIGURG,
        "TTIN" => libc::SIGTTIN,
        "TTOU" => libc::SIGTTOU,
        "PWR" => libc::SIGPWR,
        "SYS" => libc::SIGSYS,
        _ => return None,
    })
}

extern "C" fn on_signal(_signal: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: write(2) is async-signal-safe; a full pipe just drops the
        // byte (a snapshot is already pending then).
        unsafe { libc::write(fd, &byte as *const u8 as *const libc::c_void, 1) };
    }
}

fn report(name: &str, r: &Result<SnapshotReport, SnapshotFileError>) {
    match r {
        Ok(_) => {
            let path = std::env::current_dir().map(|d| d.join(name)).unwrap_or_else(|_| name.into());
            eprintln!("Wrote snapshot to {}", path.display());
        }
        Err(e) => eprintln!("sable: cannot write heap snapshot {name}: {e}"),
    }
}

/// Writes a signal snapshot from a forked child (`--heapsnapshot-fork`) and
/// announces the file with the pause once the child is done.
fn forked_signal_snapshot(iso: &mut Isolate) {
    let name = crate::api::diagnostic_snapshot_name(0, crate::api::next_diagnostic_seq());
    match iso.heap_snapshot_fork_file(crate::api::SnapshotOptions::default(), std::path::Path::new(&name)) {
        Ok(forked) => {
            std::thread::spawn(move || {
                let path = std::env::current_dir().map(|d| d.join(&name)).unwrap_or_else(|_| name.clone().into());
                match crate::api::wait_forked_snapshot(forked.pid) {
                    Ok(()) => eprintln!(
                        "Wrote snapshot to {} (in forked child {}; the isolate paused {:.1} ms)",
                        path.display(),
                        forked.pid,
                        forked.pause.as_secs_f64() * 1e3
                    ),
                    Err(e) => eprintln!("sable: heap snapshot {}: {e}", path.display()),
                }
            });
        }
        Err(e) => eprintln!("sable: cannot write heap snapshot {name}: {e}"),
    }
}

/// `--heapsnapshot-signal=SIGNAL`: each time the signal arrives, a snapshot
/// is written at the isolate's next safepoint (with `fork`, by a forked
/// child process while the script goes on). A watcher thread turns the
/// signal (delivered through a pipe) into an interrupt request.
pub fn install_snapshot_signal(iso: &Isolate, signal: i32, fork: bool) -> Result<(), String> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe(2) with a valid two-element array.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(format!("cannot create a pipe: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: fcntl on the pipe's write end we just created.
    unsafe { libc::fcntl(fds[1], libc::F_SETFL, libc::O_NONBLOCK) };
    SIGNAL_PIPE.store(fds[1], Ordering::SeqCst);
    let handle = iso.terminate_handle();
    let read_fd = fds[0];
    std::thread::Builder::new()
        .name("heapsnapshot-signal".into())
        .spawn(move || {
            let mut byte = 0u8;
            loop {
                // SAFETY: read(2) into a one-byte buffer from our pipe.
                let n = unsafe { libc::read(read_fd, &mut byte as *mut u8 as *mut libc::c_void, 1) };
                if n == 1 {
                    handle.request_interrupt(Box::new(move |iso: &mut Isolate| {
                        if fork {
                            forked_signal_snapshot(iso);
                            return;
                        }
                        let (name, r) = iso.heap_snapshot_write_diagnostic_file();
                        if let Err(e) = r {
                            eprintln!("sable: cannot write heap snapshot {name}: {e}");
                        }
                    }));
                    WAKE.store(true, Ordering::SeqCst);
                } else if n == 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                    break;
                }
            }
        })
        .map_err(|e| format!("cannot start the signal thread: {e}"))?;
    // SAFETY: installs a handler that only calls write(2); the action struct
    // is zeroed and then filled.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as *const () as usize;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
            return Err(format!("cannot handle signal {signal}: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// `--heapsnapshot-near-heap-limit=N`: up to N snapshots when the heap
/// reaches its limit, each announced as Node does ("Wrote snapshot to ...").
pub fn install_near_heap_limit_snapshots(iso: &mut Isolate, count: u32) {
    iso.enable_near_heap_limit_snapshots(count, Some(Box::new(report)));
}

/// `--heap-snapshot-on-oom`: one snapshot at the moment the isolate runs out
/// of memory (before it is terminated).
pub fn install_snapshot_on_oom(iso: &mut Isolate) {
    iso.set_oom_handler(Some(Box::new(|iso: &mut Isolate, _reason: &str, _heap: bool| {
        let (name, r) = iso.heap_snapshot_write_diagnostic_file();
        report(&name, &r);
    })));
}
