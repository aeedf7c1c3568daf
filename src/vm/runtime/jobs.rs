//! The job queue's drain: promise jobs and FinalizationRegistry cleanup jobs,
//! each followed by ClearKeptObjects (the end of a job releases the WeakRef
//! targets it kept alive).

use crate::vm::JsResult;
use crate::vm::isolate::{Job, Vm};
use crate::vm::object::{JsObject, ObjectKind};
use crate::vm::value::Value;

impl Vm {
    /// Drains the job queue (a microtask checkpoint): runs jobs in order,
    /// including those they queue, with a safepoint before each. Stops at the
    /// first job that throws; the rest stay queued.
    pub fn run_jobs(&mut self) -> JsResult<()> {
        while !self.jobs.is_empty() {
            // Before the pop, so a termination leaves the job queued.
            self.safepoint()?;
            let Some(job) = self.jobs.pop_front() else { break };
            self.run_job(job)?;
        }
        Ok(())
    }

    /// Runs one job to completion. An exception thrown by it is returned;
    /// the rest of the queue is left for the next drain.
    pub fn run_job(&mut self, job: Job) -> JsResult<()> {
        let r = match job {
            Job::Call { func, args } => self.call(func, Value::UNDEFINED, &args).map(|_| ()),
            Job::FinalizationCleanup { registry } => self.cleanup_finalization_registry(registry),
        };
        self.clear_kept_objects();
        r
    }

    /// ClearKeptObjects: WeakRef targets are no longer kept alive.
    pub fn clear_kept_objects(&mut self) {
        self.kept_alive.clear();
    }

    /// AddToKeptObjects: keeps a WeakRef target alive until the job ends.
    pub fn add_to_kept_objects(&mut self, target: Value) {
        self.kept_alive.insert(target);
    }

    /// CleanupFinalizationRegistry: calls the cleanup callback with the held
    /// value of each cell whose target was collected. Each cell is removed
    /// before its callback runs, so a throwing callback loses no other cell.
    fn cleanup_finalization_registry(&mut self, registry: Value) -> JsResult<()> {
        let Some(o) = JsObject::from_value(registry) else { return Ok(()) };
        // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
        let cleanup = match &mut unsafe { o.m() }.kind {
            ObjectKind::FinalizationRegistry(r) => {
                r.cleanup_queued = false;
                r.cleanup
            }
            _ => return Ok(()),
        };
        loop {
            // SAFETY: a short borrow of a live cell; no other reference into it is used until it ends.
            let held = match &mut unsafe { o.m() }.kind {
                ObjectKind::FinalizationRegistry(r) => r.take_dead_cell(),
                _ => None,
            };
            let Some(held) = held else { return Ok(()) };
            self.call(cleanup, Value::UNDEFINED, &[held])?;
        }
    }
}
