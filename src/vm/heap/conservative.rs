//! Conservative scanning of the native stack and spilled callee-saved registers
//! (JavaScriptCore's approach): any word that points into a live cell keeps it alive.

/// An address on the current native stack (the scan's lower bound).
#[inline(never)]
pub fn current_stack_position() -> usize {
    let marker = 0usize;
    std::hint::black_box(&marker) as *const usize as usize
}

/// The current stack pointer: everything at or above it is live stack. (Memory
/// below it belongs to returned frames, which valgrind treats as undefined.)
#[inline(always)]
fn stack_pointer() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register only.
        unsafe { std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register only.
        unsafe { std::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    current_stack_position()
}

/// Copies the callee-saved registers into `out` so a stack scan sees them.
#[inline(never)]
fn spill_registers(out: &mut [usize; 12]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: only reads registers into the caller's buffer.
    unsafe {
        std::arch::asm!(
            "mov [{o}], rbx", "mov [{o} + 8], rbp", "mov [{o} + 16], r12",
            "mov [{o} + 24], r13", "mov [{o} + 32], r14", "mov [{o} + 40], r15",
            o = in(reg) out.as_mut_ptr(), options(nostack, preserves_flags)
        );
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: only reads registers into the caller's buffer.
    unsafe {
        std::arch::asm!(
            "stp x19, x20, [{o}]", "stp x21, x22, [{o}, #16]", "stp x23, x24, [{o}, #32]",
            "stp x25, x26, [{o}, #48]", "stp x27, x28, [{o}, #64]", "stp x29, x30, [{o}, #80]",
            o = in(reg) out.as_mut_ptr(), options(nostack, preserves_flags)
        );
    }
    std::hint::black_box(out);
}

/// Tells valgrind (if the process runs under it) that `[addr, addr + len)` is
/// defined. Used only on the scan's private copies of stack words and
/// registers: a slot may never have been written, and its copy is only ever
/// compared against page addresses, so treating the copy as defined is sound.
/// The stack itself keeps its real state, so memcheck still sees uninitialised
/// reads by everyone else, the cell reads the scan leads to included. Outside
/// valgrind the magic instruction sequence is a no-op.
#[inline(never)]
fn valgrind_make_mem_defined(addr: usize, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        // VG_USERREQ__MAKE_MEM_DEFINED = VG_USERREQ_TOOL_BASE('M', 'C') + 2.
        let args: [u64; 6] = [0x4D43_0002, addr as u64, len as u64, 0, 0, 0];
        let mut result: u64 = 0;
        // SAFETY: the rotations of rdi sum to 128 bits (a no-op) and xchg rbx,rbx
        // changes nothing; valgrind recognises the sequence and reads `args`.
        unsafe {
            std::arch::asm!(
                "rol rdi, 3", "rol rdi, 13", "rol rdi, 61", "rol rdi, 51", "xchg rbx, rbx",
                inout("rdx") result, in("rax") args.as_ptr(), options(nostack)
            );
        }
        std::hint::black_box(result);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (addr, len);
}

/// Loads the word at `p` with a plain machine load that no sanitizer
/// instruments: the scan reads every slot of the stack, including the redzones
/// AddressSanitizer poisons between locals, which is by design.
///
/// # Safety
/// `p` is 8-byte aligned and inside this thread's live stack.
#[inline(always)]
unsafe fn load_stack_word(p: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let w: usize;
        // SAFETY: the caller guarantees `p` is a readable, aligned stack word.
        unsafe { std::arch::asm!("mov {w}, qword ptr [{p}]", w = out(reg) w, p = in(reg) p, options(nostack, readonly, preserves_flags)) };
        w
    }
    #[cfg(target_arch = "aarch64")]
    {
        let w: usize;
        // SAFETY: as above.
        unsafe { std::arch::asm!("ldr {w}, [{p}]", w = out(reg) w, p = in(reg) p, options(nostack, readonly, preserves_flags)) };
        w
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    // SAFETY: as above.
    unsafe {
        std::ptr::read_volatile(p as *const usize)
    }
}

/// How much dead stack [`on_clean_stack`] zeroes below its caller.
const CLEARED_STACK_BYTES: usize = 16 * 1024;

/// Zeroes the dead stack just below the caller's frame.
#[inline(never)]
fn clear_dead_stack() {
    let mut area = [0usize; CLEARED_STACK_BYTES / 8];
    // The zeroes must really be written: the optimizer may not drop them.
    std::hint::black_box(&mut area);
}

#[inline(never)]
fn call_outlined<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// Runs `f` in frames laid on freshly zeroed stack. The conservative scan
/// reads every word of a live frame, including slots the frame has not
/// written yet, and those still hold whatever earlier, returned calls left
/// there: pointers to objects the program has long dropped. A collection the
/// program asks for (`gc()`, a heap snapshot, queryObjects) should show
/// exactly what is alive, so its entry points run their work through here
/// before their frames exist. Not for hot paths: it writes 16 KB.
#[inline(always)]
pub fn on_clean_stack<R>(f: impl FnOnce() -> R) -> R {
    clear_dead_stack();
    call_outlined(f)
}

/// Reports every word of the native stack between the current position and
/// `stack_base` (an address in the outermost VM entry frame), and of the
/// spilled callee-saved registers, to `word`; the caller decides which of them
/// point into cells.
#[inline(never)]
pub fn scan_native_stack(stack_base: usize, word: &mut dyn FnMut(usize)) {
    let mut regs = [0usize; 12];
    spill_registers(&mut regs);
    valgrind_make_mem_defined(regs.as_ptr() as usize, std::mem::size_of_val(&regs));
    for &w in regs.iter() {
        word(w);
    }
    let low = stack_pointer() & !7;
    if stack_base > low {
        scan_stack_range(low, stack_base, word);
    }
}

/// Reports the words of `[low, high)`, which lies above this function's own
/// frame, by copying them in chunks into a buffer in this frame: only the copy
/// is declared defined to valgrind (see [`valgrind_make_mem_defined`]).
#[inline(never)]
fn scan_stack_range(low: usize, high: usize, word: &mut dyn FnMut(usize)) {
    let mut chunk = [0usize; 128];
    let mut p = low;
    while p < high {
        let n = ((high - p) / 8).min(chunk.len());
        if n == 0 {
            break;
        }
        for (i, slot) in chunk[..n].iter_mut().enumerate() {
            // SAFETY: [low, high) is this thread's live stack, 8-byte aligned.
            *slot = unsafe { load_stack_word(p + i * 8) };
        }
        valgrind_make_mem_defined(chunk.as_ptr() as usize, n * 8);
        for &w in &chunk[..n] {
            word(w);
        }
        p += n * 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::MaybeUninit;

    const PATTERN: usize = 0x5AB1_E5AB_1E00_0001;

    /// A returned call that leaves `PATTERN` behind in dead stack.
    #[inline(never)]
    fn leave_pattern() {
        let mut area = [PATTERN; 1024];
        std::hint::black_box(&mut area);
    }

    /// Scans from a frame holding 8 KB it never writes, as a builtin's frame
    /// holds slots it has not used yet; counts the words equal to `PATTERN`.
    #[inline(never)]
    fn pattern_words_seen_from_a_fresh_frame(base: usize) -> usize {
        let mut unwritten = MaybeUninit::<[usize; 1024]>::uninit();
        std::hint::black_box(&mut unwritten);
        let mut seen = 0;
        scan_native_stack(base, &mut |w| seen += usize::from(w == PATTERN));
        std::hint::black_box(&unwritten);
        seen
    }

    #[test]
    fn frames_run_on_a_clean_stack_do_not_show_what_returned_calls_left() {
        let base = current_stack_position() + 256;
        leave_pattern();
        assert!(pattern_words_seen_from_a_fresh_frame(base) > 0, "the control: unwritten slots hold stale words");
        leave_pattern();
        assert_eq!(on_clean_stack(|| pattern_words_seen_from_a_fresh_frame(base)), 0);
    }
}
