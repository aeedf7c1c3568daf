//! Heap behaviour through the Rust embedding API: weak collections release
//! dead keys (ephemerons), WeakRef targets are cleared after they die,
//! FinalizationRegistry callbacks run with their held values, a host
//! allocator that runs dry gives out-of-memory without harming the process,
//! and a native function's host data is freed with its function object.

mod common;

use std::cell::Cell;
use std::ffi::c_void;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use sable::api::{HostAllocator, Isolate, IsolateParams, Status};

/// Loop counts: the acceptance figures normally, a hundredth under
/// SABLE_GC_STRESS=1 (a full collection at every loop back-edge).
fn scaled(n: usize) -> usize {
    if std::env::var("SABLE_GC_STRESS").is_ok_and(|v| v == "1") { n / 100 } else { n }
}

/// Evaluates in a context that has `gc()` and `print()` installed.
fn setup_with_gc() -> (Box<Isolate>, sable::api::ContextId) {
    let (mut iso, c) = setup();
    sable::host::install_globals(&mut iso, c, true).unwrap();
    (iso, c)
}

#[test]
fn weakmap_keys_that_die_are_released() {
    let (mut iso, c) = setup();
    let before = {
        iso.collect_garbage();
        iso.heap_statistics().used_heap_size
    };
    let n = scaled(1_000_000);
    let step = n / 10;
    let out = run(
        &mut iso,
        c,
        &format!(
            "var kept = [];
             var wm = new WeakMap(), ws = new WeakSet();
             for (var i = 0; i < {n}; i++) {{
               var k = {{}};
               wm.set(k, {{ payload: i }});
               if (i % {step} === 0) {{ kept.push(k); ws.add(k); }} else if (i % 2) ws.add(k);
             }}
             k = null;
             'ok'"
        ),
    );
    assert_eq!(out, "ok");
    let grown = iso.heap_statistics().used_heap_size;
    iso.collect_garbage();
    let after = iso.heap_statistics().used_heap_size;
    println!("used_heap_size: {before} before, {grown} after the loop, {after} after a full GC");
    assert!(after < 8 << 20, "used_heap_size after a full GC is {after} bytes (limit 8 MiB)");
    assert!(grown > after, "the loop should have grown the heap ({grown} -> {after})");
    // The live keys keep their entries, with their values.
    let expected: Vec<String> = (0..10).map(|i| format!("{}:true:true", i * step)).collect();
    assert_eq!(run(&mut iso, c, "kept.map(k => wm.get(k).payload + ':' + ws.has(k) + ':' + wm.has(k)).join()"), expected.join(","));
}

#[test]
fn ephemeron_values_live_exactly_as_long_as_their_keys() {
    let (mut iso, c) = setup();
    // Two chains where each entry's value holds the next key. Only the first
    // key of the first chain is held strongly, so that whole chain survives
    // through the ephemeron fixpoint; nothing holds the second chain, so all
    // of its entries (values with 1000-element arrays) must go.
    run(
        &mut iso,
        c,
        "var wm = new WeakMap(), first = {}, k = first;
         for (var i = 0; i < 1000; i++) { var next = {}; wm.set(k, { i: i, next: next }); k = next; }
         (function () {
           var k2 = {};
           for (var i = 0; i < 2000; i++) { var next = {}; wm.set(k2, { next: next, pad: new Array(1000).fill(i) }); k2 = next; }
         })();
         k = next = null; 0",
    );
    let grown = iso.heap_statistics().used_heap_size;
    iso.collect_garbage();
    let after = iso.heap_statistics().used_heap_size;
    println!("used_heap_size {grown} -> {after}");
    // Retained, the dead chain alone would be 2000 arrays of 8 KB = 16 MB.
    assert!(after < 4 << 20, "the dead chain was not released: {grown} -> {after}");
    assert_eq!(run(&mut iso, c, "var n = 0, k = first; while (wm.has(k)) { var e = wm.get(k); if (e.i !== n) throw n; n++; k = e.next; } n"), "1000");
}

#[test]
fn weakref_deref_is_undefined_after_the_target_dies() {
    let (mut iso, c) = setup_with_gc();
    // Within one job the target is kept alive (KeepDuringJob), even across a GC.
    assert_eq!(run(&mut iso, c, "var keep = { b: 2 }; var r = new WeakRef({ a: 1 }); var s = new WeakRef(keep); gc(); r.deref().a"), "1");
    // Between jobs: the target died, a collection ran, deref gives undefined.
    iso.collect_garbage();
    assert_eq!(run(&mut iso, c, "[r.deref(), s.deref() === keep].join()"), ",true");
    assert_eq!(run(&mut iso, c, "typeof r.deref()"), "undefined");
}

#[test]
fn finalization_registry_callbacks_get_their_held_values() {
    let (mut iso, c) = setup();
    assert_eq!(
        run(
            &mut iso,
            c,
            "var log = [];
             var fr = new FinalizationRegistry(h => log.push(h));
             (function () {
               fr.register({}, 'held-1');
               fr.register({}, 'held-2', {});
               var u = {}; fr.register(u, 'held-unregistered', u); fr.unregister(u);
             })();
             var alive = {}; fr.register(alive, 'held-alive', alive);
             log.length",
        ),
        "0"
    );
    iso.collect_garbage();
    // The cleanup runs as a job, not inside the collection.
    assert_eq!(run(&mut iso, c, "log.length"), "0");
    iso.run_microtasks().unwrap();
    assert_eq!(run(&mut iso, c, "log.sort().join()"), "held-1,held-2");
    // unregister of a live target still works after a collection.
    assert_eq!(run(&mut iso, c, "fr.unregister(alive) + ',' + fr.unregister(alive)"), "true,false");
    // A second collection has nothing new to report.
    iso.collect_garbage();
    iso.run_microtasks().unwrap();
    assert_eq!(run(&mut iso, c, "log.length"), "2");
}

// ---------------------------------------------------------------------------
// a host allocator that runs dry
// ---------------------------------------------------------------------------

struct Budget {
    pages_left: AtomicUsize,
    live: AtomicUsize,
}

unsafe extern "C" fn budget_alloc(user: *mut c_void, size: usize, align: usize) -> *mut c_void {
    // SAFETY: `user` is the &Budget passed in IsolateParams, alive for the test.
    let b = unsafe { &*(user as *const Budget) };
    if b.pages_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_err() {
        return std::ptr::null_mut();
    }
    let mut p: *mut c_void = std::ptr::null_mut();
    // SAFETY: posix_memalign with a power-of-two alignment.
    if unsafe { libc::posix_memalign(&mut p, align, size) } != 0 {
        return std::ptr::null_mut();
    }
    b.live.fetch_add(1, Ordering::SeqCst);
    p
}

unsafe extern "C" fn budget_free(user: *mut c_void, ptr: *mut c_void, _size: usize, _align: usize) {
    // SAFETY: as in budget_alloc; `ptr` came from posix_memalign there.
    let b = unsafe { &*(user as *const Budget) };
    b.live.fetch_sub(1, Ordering::SeqCst);
    unsafe { libc::free(ptr) };
}

#[test]
fn a_failing_page_allocator_gives_out_of_memory_and_the_process_goes_on() {
    // Pages run out in a JS loop, and inside one builtin call (JSON.parse
    // making 300,000 objects). Under GC stress the loop would collect at
    // every iteration of a growing heap, so only the builtin case runs there.
    let stress = std::env::var("SABLE_GC_STRESS").is_ok_and(|v| v == "1");
    let mut cases = vec![(40usize, "JSON.parse('[' + '{},'.repeat(300000) + '{}]').length")];
    if !stress {
        cases.extend([(40, GROW), (60, GROW), (120, GROW)]);
    }
    const GROW: &str = "var a = []; for (;;) a.push({ x: a.length, s: 'k' + a.length });";
    for (pages, script) in cases {
        let budget = Box::new(Budget { pages_left: AtomicUsize::new(pages), live: AtomicUsize::new(0) });
        let params = IsolateParams {
            allocator: Some(HostAllocator { alloc: budget_alloc, free: budget_free, user: &*budget as *const Budget as *mut c_void }),
            ..Default::default()
        };
        {
            let mut iso = Isolate::new(&params).expect("isolate creation fits in the page budget");
            let c = iso.context_new().expect("a context fits in the page budget");
            let r = iso.eval(c, script, Some("grow.js"));
            assert_eq!(r.err(), Some(Status::OutOfMemory), "with {pages} pages: {script}");
            assert!(!iso.is_usable());
            // Later calls fail cleanly too.
            assert_eq!(iso.eval(c, "1 + 1", None).err(), Some(Status::OutOfMemory));
        }
        assert_eq!(budget.live.load(Ordering::SeqCst), 0, "every page was given back on dispose");
    }
    // The process is healthy: a new isolate works.
    assert_eq!(eval("[1, 2, 3].map(x => x * 2).join()"), "2,4,6");
}

#[test]
fn isolate_creation_without_pages_fails_cleanly() {
    let budget = Box::new(Budget { pages_left: AtomicUsize::new(1), live: AtomicUsize::new(0) });
    let params = IsolateParams {
        allocator: Some(HostAllocator { alloc: budget_alloc, free: budget_free, user: &*budget as *const Budget as *mut c_void }),
        ..Default::default()
    };
    assert_eq!(Isolate::new(&params).err(), Some(Status::OutOfMemory));
    assert_eq!(budget.live.load(Ordering::SeqCst), 0, "every page was given back");
}

// ---------------------------------------------------------------------------
// host functions are freed with their function objects
// ---------------------------------------------------------------------------

struct CountDrops(Rc<Cell<usize>>);
impl Drop for CountDrops {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

fn rss_kib() -> usize {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[test]
fn short_lived_native_functions_free_their_host_data() {
    let n = scaled(1_000_000);
    let (mut iso, c) = setup();
    let drops = Rc::new(Cell::new(0usize));
    let rss_start = rss_kib();
    let mut rss_mid = 0;
    for i in 0..n {
        let token = iso.open_scope();
        // Each closure owns 256 bytes of host data: 10^6 of them leaked would be 256 MB.
        let guard = CountDrops(drops.clone());
        let data = vec![i as u8; 256];
        let f = iso
            .function_new(
                c,
                Box::new(move |_iso, _c, _info| {
                    let _ = (&guard, &data);
                    Ok(())
                }),
                "f",
                0,
            )
            .unwrap();
        if i % 1000 == 0 {
            iso.call(c, f, f, &[]).unwrap();
        }
        iso.close_scope(token);
        if i == n / 2 {
            rss_mid = rss_kib();
        }
    }
    iso.collect_garbage();
    let rss_end = rss_kib();
    let freed = drops.get();
    println!("host closures freed: {freed} of {n}; RSS {rss_start} KiB at start, {rss_mid} KiB halfway, {rss_end} KiB at the end");
    assert!(freed >= n - 1000, "only {freed} of {n} host closures were freed");
    assert!(rss_end < rss_start + 128 * 1024, "RSS grew from {rss_start} KiB to {rss_end} KiB");
    drop(iso);
    assert_eq!(drops.get(), n, "disposing the isolate frees the rest");
}
