//! Host hooks around the collector: GC prologue and epilogue callbacks, the
//! near-heap-limit callback, the out-of-memory handler, GC profiles
//! (`v8.GCProfiler`) and `--trace-gc` lines. The heap is consistent and
//! walkable whenever one of these runs.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::vm::heap::{HeapStatistics, SpaceStatistics};
use crate::vm::isolate::Vm;
use crate::vm::runtime::flags;

/// V8's `GCType` values. Sable has one collector, a full non-moving
/// mark-sweep, which V8 calls `MarkSweepCompact`; the others are named so
/// hosts can match on V8's constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum GcType {
    Scavenge = 1,
    MinorMarkSweep = 2,
    MarkSweepCompact = 4,
    IncrementalMarking = 8,
    ProcessWeakCallbacks = 16,
}

impl GcType {
    /// The name Node's GC profiler gives this type.
    pub fn profiler_name(self) -> &'static str {
        match self {
            GcType::Scavenge => "Scavenge",
            GcType::MarkSweepCompact => "MarkSweepCompact",
            GcType::IncrementalMarking => "IncrementalMarking",
            GcType::ProcessWeakCallbacks => "ProcessWeakCallbacks",
            GcType::MinorMarkSweep => "Unknown",
        }
    }
}

/// Before or after a collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcPhase {
    Prologue,
    Epilogue,
}

/// Why a collection runs (shown by `--trace-gc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GcReason {
    /// The heap grew past its next-collection threshold.
    Allocation,
    /// An allocation would pass the heap limit.
    HeapLimit,
    /// The host or script asked (`gc()`, `sable_isolate_collect_garbage`).
    Requested,
}

impl GcReason {
    fn trace_text(self) -> &'static str {
        match self {
            GcReason::Allocation => "allocation failure; ",
            GcReason::HeapLimit => "last resort; heap limit reached",
            GcReason::Requested => "testing; GC in old space requested",
        }
    }
}

/// Called before (duration 0) and after (duration in microseconds) each collection.
pub type GcCallback = Box<dyn FnMut(&mut Vm, GcPhase, GcType, f64)>;
/// Called with (current limit, initial limit) when the heap is full after a
/// collection; returns the new limit (a larger one lets the script go on).
pub type NearHeapLimitCallback = Box<dyn FnMut(&mut Vm, usize, usize) -> usize>;
/// Called once with a reason and whether the JS heap (rather than the
/// allocator) ran out, before the isolate is terminated.
pub type OomHandler = Box<dyn FnMut(&mut Vm, &str, bool)>;

/// A registered callback: its id, and a host tag (C hosts remove callbacks
/// by their function pointer and data, as in V8).
pub struct Hook<F> {
    pub id: u64,
    pub tag: (usize, usize),
    pub f: F,
}

/// Heap statistics sampled before or after one collection.
#[derive(Clone, Copy, Debug)]
pub struct GcSample {
    pub heap: HeapStatistics,
    pub spaces: [SpaceStatistics; 6],
}

/// One collection recorded by a GC profile.
#[derive(Clone, Debug)]
pub struct GcProfileEntry {
    pub gc_type: GcType,
    pub before: GcSample,
    /// Microseconds between the prologue and the epilogue.
    pub cost_us: f64,
    pub after: GcSample,
}

/// A running GC profile (`v8.GCProfiler`, `sable_gc_profiler_*`).
#[derive(Clone, Debug)]
pub struct GcProfile {
    /// Milliseconds since the Unix epoch at start.
    pub start_time: u64,
    pub entries: Vec<GcProfileEntry>,
}

/// Milliseconds since the Unix epoch, now.
pub fn epoch_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The isolate's hook registrations and the state of the collection in progress.
pub struct HeapHooks {
    /// Near-heap-limit snapshots are on (`--heapsnapshot-near-heap-limit`,
    /// `v8.setHeapSnapshotNearHeapLimit`): later requests are ignored, as in Node.
    pub near_limit_snapshots: bool,
    gc_callbacks: Vec<Hook<GcCallback>>,
    near_heap_limit: Vec<Hook<NearHeapLimitCallback>>,
    oom_handler: Option<OomHandler>,
    /// Ids removed while their list was out for a call.
    removed: Vec<u64>,
    next_id: u64,
    /// The limit the isolate was created with.
    pub initial_limit: usize,
    in_gc: bool,
    in_limit_callback: bool,
    oom_reported: bool,
    profiles: Vec<(u64, GcProfile)>,
    /// Start of the collection in progress and the sample taken before it.
    current: Option<(Instant, Option<GcSample>)>,
    created: Instant,
    last_gc_end: Option<Instant>,
    average_mu: f64,
}

impl HeapHooks {
    pub fn new(initial_limit: usize) -> HeapHooks {
        HeapHooks {
            near_limit_snapshots: false,
            gc_callbacks: Vec::new(),
            near_heap_limit: Vec::new(),
            oom_handler: None,
            removed: Vec::new(),
            next_id: 1,
            initial_limit,
            in_gc: false,
            in_limit_callback: false,
            oom_reported: false,
            profiles: Vec::new(),
            current: None,
            created: Instant::now(),
            last_gc_end: None,
            average_mu: 1.0,
        }
    }
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// Removes the hook with `id`; while callbacks run (their list is out for
/// the call), remembers the id so the hook is dropped when the list returns.
fn remove_hook<F>(list: &mut Vec<Hook<F>>, removed: &mut Vec<u64>, id: u64, calling: bool) -> bool {
    match list.iter().position(|h| h.id == id) {
        Some(i) => {
            list.remove(i);
            true
        }
        None if calling && id != 0 => {
            removed.push(id);
            true
        }
        None => false,
    }
}

impl Vm {
    // ----- registration -----

    pub fn add_gc_callback(&mut self, tag: (usize, usize), f: GcCallback) -> u64 {
        let id = self.heap_hooks.next_id();
        self.heap_hooks.gc_callbacks.push(Hook { id, tag, f });
        id
    }
    /// Removes a GC callback by id. Returns whether it was registered.
    pub fn remove_gc_callback(&mut self, id: u64) -> bool {
        let h = &mut self.heap_hooks;
        remove_hook(&mut h.gc_callbacks, &mut h.removed, id, h.in_gc)
    }
    /// The id of the first GC callback registered with `tag`.
    pub fn gc_callback_by_tag(&self, tag: (usize, usize)) -> Option<u64> {
        self.heap_hooks.gc_callbacks.iter().find(|h| h.tag == tag).map(|h| h.id)
    }

    pub fn add_near_heap_limit_callback(&mut self, tag: (usize, usize), f: NearHeapLimitCallback) -> u64 {
        let id = self.heap_hooks.next_id();
        self.heap_hooks.near_heap_limit.push(Hook { id, tag, f });
        id
    }
    /// Removes a near-heap-limit callback; a non-zero `restore_limit` becomes
    /// the heap limit again (V8's contract), unless the heap is already larger.
    pub fn remove_near_heap_limit_callback(&mut self, id: u64, restore_limit: usize) -> bool {
        let h = &mut self.heap_hooks;
        let found = remove_hook(&mut h.near_heap_limit, &mut h.removed, id, h.in_limit_callback);
        if found && restore_limit != 0 && restore_limit >= self.heap.used_bytes() {
            self.heap.set_limit(restore_limit);
        }
        found
    }
    pub fn near_heap_limit_callback_by_tag(&self, tag: (usize, usize)) -> Option<u64> {
        self.heap_hooks.near_heap_limit.iter().rev().find(|h| h.tag == tag).map(|h| h.id)
    }

    /// Whether a collection (or its callbacks) is running.
    pub fn in_gc(&self) -> bool {
        self.heap_hooks.in_gc
    }

    pub fn set_oom_handler(&mut self, f: Option<OomHandler>) {
        self.heap_hooks.oom_handler = f;
    }

    // ----- the heap limit and out of memory -----

    /// The heap is over its limit (or `extra` more bytes would pass it) after
    /// a full collection: asks the most recently added near-heap-limit
    /// callback (as V8 does) for a larger limit, repeatedly while it keeps
    /// raising it. True when the allocation now fits.
    pub fn heap_limit_reached(&mut self, extra: usize) -> bool {
        loop {
            if !self.heap.would_exceed(extra) {
                return true;
            }
            if self.heap_hooks.in_limit_callback {
                return false;
            }
            let Some(mut hook) = self.heap_hooks.near_heap_limit.pop() else {
                return false;
            };
            let added_from = self.heap_hooks.near_heap_limit.len();
            let current = self.heap.limit;
            let initial = self.heap_hooks.initial_limit;
            self.heap_hooks.in_limit_callback = true;
            let new_limit = (hook.f)(self, current, initial);
            self.heap_hooks.in_limit_callback = false;
            let hooks = &mut self.heap_hooks;
            if let Some(i) = hooks.removed.iter().position(|&id| id == hook.id) {
                hooks.removed.swap_remove(i);
            } else {
                let at = added_from.min(hooks.near_heap_limit.len());
                hooks.near_heap_limit.insert(at, hook);
            }
            if new_limit <= current {
                return false;
            }
            self.heap.set_limit(new_limit);
        }
    }

    /// Enters the out-of-memory state (uncatchable; the isolate must be
    /// disposed), first telling the host's handler why, once.
    #[cold]
    pub fn out_of_memory_because(&mut self, reason: &str, is_heap_oom: bool) -> crate::vm::Unwind {
        if !self.heap_hooks.oom_reported {
            self.heap_hooks.oom_reported = true;
            if let Some(mut f) = self.heap_hooks.oom_handler.take() {
                f(self, reason, is_heap_oom);
                if self.heap_hooks.oom_handler.is_none() {
                    self.heap_hooks.oom_handler = Some(f);
                }
            }
        }
        self.out_of_memory()
    }

    // ----- collection events -----

    /// Runs before marking: prologue callbacks, and the "before" sample for
    /// profiles and `--trace-gc`. False if a collection is already running
    /// (a callback asked for one): the caller must not collect again.
    pub(crate) fn gc_prologue(&mut self) -> bool {
        if self.heap_hooks.in_gc {
            return false;
        }
        self.heap_hooks.in_gc = true;
        self.run_gc_callbacks(GcPhase::Prologue, 0.0);
        let sample = (!self.heap_hooks.profiles.is_empty() || flags::trace_gc()).then(|| self.gc_sample());
        self.heap_hooks.current = Some((Instant::now(), sample));
        true
    }

    /// Runs after sweeping: profile entries, the `--trace-gc` line, epilogue callbacks.
    pub(crate) fn gc_epilogue(&mut self, reason: GcReason) {
        let Some((start, before)) = self.heap_hooks.current.take() else {
            self.heap_hooks.in_gc = false;
            return;
        };
        let end = Instant::now();
        let cost_us = (end - start).as_secs_f64() * 1e6;
        if let Some(before) = before {
            let after = self.gc_sample();
            for (_, p) in &mut self.heap_hooks.profiles {
                p.entries.push(GcProfileEntry { gc_type: GcType::MarkSweepCompact, before, cost_us, after });
            }
            if flags::trace_gc() {
                self.print_trace_gc(&before, &after, start, end, reason);
            }
        }
        self.heap_hooks.last_gc_end = Some(end);
        self.run_gc_callbacks(GcPhase::Epilogue, cost_us);
        self.heap_hooks.in_gc = false;
    }

    fn run_gc_callbacks(&mut self, phase: GcPhase, duration_us: f64) {
        if self.heap_hooks.gc_callbacks.is_empty() {
            return;
        }
        let mut list = std::mem::take(&mut self.heap_hooks.gc_callbacks);
        for hook in &mut list {
            if !self.heap_hooks.removed.contains(&hook.id) {
                (hook.f)(self, phase, GcType::MarkSweepCompact, duration_us);
            }
        }
        let hooks = &mut self.heap_hooks;
        list.append(&mut hooks.gc_callbacks);
        let removed = &mut hooks.removed;
        list.retain(|h| match removed.iter().position(|&id| id == h.id) {
            Some(i) => {
                removed.swap_remove(i);
                false
            }
            None => true,
        });
        hooks.gc_callbacks = list;
    }

    fn gc_sample(&self) -> GcSample {
        GcSample { heap: self.statistics(), spaces: self.heap.space_statistics() }
    }

    /// One line per collection, in V8's `--trace-gc` format.
    fn print_trace_gc(&mut self, before: &GcSample, after: &GcSample, start: Instant, end: Instant, reason: GcReason) {
        const MB: f64 = 1024.0 * 1024.0;
        let pause_ms = (end - start).as_secs_f64() * 1e3;
        let since = self.heap_hooks.last_gc_end.unwrap_or(self.heap_hooks.created);
        let span = (end - since).as_secs_f64() * 1e3;
        let current_mu = if span > 0.0 { (1.0 - pause_ms / span).clamp(0.0, 1.0) } else { 1.0 };
        self.heap_hooks.average_mu = (self.heap_hooks.average_mu + current_mu) / 2.0;
        let line = format!(
            "[{}:{:#x}] {:8} ms: Mark-Compact {:.1} ({:.1}) -> {:.1} ({:.1}) MB, {:.2} / 0.00 ms  (average mu = {:.3}, current mu = {:.3}) {}",
            std::process::id(),
            self as *const Vm as usize,
            (start - self.heap_hooks.created).as_millis(),
            before.heap.used_heap_size as f64 / MB,
            before.heap.total_heap_size as f64 / MB,
            after.heap.used_heap_size as f64 / MB,
            after.heap.total_heap_size as f64 / MB,
            pause_ms,
            self.heap_hooks.average_mu,
            current_mu,
            reason.trace_text(),
        );
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    // ----- GC profiles -----

    /// Starts a GC profile; returns its id.
    pub fn gc_profile_start(&mut self) -> u64 {
        let id = self.heap_hooks.next_id();
        self.heap_hooks.profiles.push((id, GcProfile { start_time: epoch_millis(), entries: Vec::new() }));
        id
    }
    /// Stops a GC profile and returns what it recorded (None if not running).
    pub fn gc_profile_stop(&mut self, id: u64) -> Option<GcProfile> {
        let i = self.heap_hooks.profiles.iter().position(|(p, _)| *p == id)?;
        Some(self.heap_hooks.profiles.remove(i).1)
    }
}
