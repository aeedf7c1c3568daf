//! The shell's event loop: drains process.nextTick callbacks and microtasks
//! the way Node does after each callback, and runs timers in due order until
//! no ref'd timer remains, sleeping until the next one is due.

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

    /// Runs timers until none that keeps the loop alive is left: each
    /// iteration takes the loop time, runs every due timer (draining ticks
    /// and microtasks after each), then sleeps until the next expiry.
    /// An exception from a callback stops the loop and stays pending.
    pub fn run_event_loop(&self, iso: &mut Isolate) -> ApiResult<()> {
        loop {
            let token = iso.open_scope();
            let next = (|| {
                self.call_hook(iso, "updateLoopTime", &[])?;
                loop {
                    let r = self.call_hook(iso, "timerStep", &[])?;
                    self.drain(iso)?;
                    if iso.type_of(r) != Some(ValueType::Null) {
                        return iso.to_number(self.ctx, r);
                    }
                }
            })();
            iso.close_scope(token);
            let expiry = next?;
            // 0: no timers; negative: only unref'd timers, which do not keep the loop alive.
            if expiry.is_nan() || expiry <= 0.0 {
                return Ok(());
            }
            let wait = expiry - now_ms();
            if wait > 0.0 {
                std::thread::sleep(Duration::from_secs_f64(wait / 1000.0));
            }
        }
    }
}
