//! The shell's event loop: drains process.nextTick callbacks and microtasks
//! the way Node does after each callback, and runs timers in due order and
//! setImmediate callbacks until nothing ref'd remains, sleeping until the
//! next timer is due.

use std::time::Duration;

use super::node::{NodeHost, now_ms};
use crate::api::{ApiResult, Isolate, ValueType};

impl NodeHost {
    /// Runs queued process.nextTick callbacks, then the microtask queue, and
    /// again while callbacks queued more ticks (Node's processTicksAndRejections).
    /// An exception stays pending (`Err(Status::Exception)`) for the caller to report.
    pub fn drain(&self, iso: &mut Isolate) -> ApiResult<()> {
        loop {
            let token = iso.open_scope();
            let r = (|| {
                self.call_hook(iso, "runTicks", &[])?;
                iso.run_microtasks()?;
                let more = self.call_hook(iso, "hasTicks", &[])?;
                iso.to_boolean(self.ctx, more)
            })();
            iso.close_scope(token);
            if !r? {
                return Ok(());
            }
        }
    }

    /// Runs timers and immediates until nothing that keeps the loop alive
    /// is left. Each iteration is libuv's: take the loop time and run every
    /// due timer; then, unless a ref'd immediate waits, sleep until the next
    /// timer is due (or stop if no ref'd timer is left); then run the queued
    /// immediates. Ticks and microtasks are drained after each callback.
    /// An exception from a callback stops the loop and stays pending.
    pub fn run_event_loop(&self, iso: &mut Isolate) -> ApiResult<()> {
        loop {
            let token = iso.open_scope();
            let r = self.iteration(iso);
            iso.close_scope(token);
            if !r? {
                return Ok(());
            }
        }
    }

    /// One loop iteration; false when the loop has nothing left to wait for.
    fn iteration(&self, iso: &mut Isolate) -> ApiResult<bool> {
        self.call_hook(iso, "updateLoopTime", &[])?;
        // Timers phase. The result: 0 no timers; negative: only unref'd timers;
        // positive: the next expiry of a ref'd timer, in loop time.
        let expiry = loop {
            let r = self.call_hook(iso, "timerStep", &[])?;
            self.drain(iso)?;
            if iso.type_of(r) != Some(ValueType::Null) {
                break iso.to_number(self.ctx, r)?;
            }
        };
        let pending = self.call_hook(iso, "immediatesPending", &[])?;
        let pending = iso.to_number(self.ctx, pending)?;
        let timers_alive = expiry.is_finite() && expiry > 0.0;
        if pending < 2.0 {
            if !timers_alive {
                return Ok(false);
            }
            // Poll phase: nothing else to wait for, so sleep until the timer is due.
            // Sleep in short slices, waking early when a heap-snapshot signal
            // waits for the next safepoint (the next hook call is one).
            loop {
                let wait = expiry - now_ms();
                if wait <= 0.0 || super::diagnostics::take_wake_request() {
                    break;
                }
                std::thread::sleep(Duration::from_secs_f64(wait.min(50.0) / 1000.0));
            }
        }
        // Check phase.
        self.call_hook(iso, "startImmediates", &[])?;
        loop {
            let ran = self.call_hook(iso, "immediateStep", &[])?;
            if !iso.to_boolean(self.ctx, ran)? {
                break;
            }
            self.drain(iso)?;
        }
        Ok(true)
    }
}
