//! Per-space heap statistics (Node's `v8.getHeapSpaceStatistics()`), read
//! from the space counters and the page headers.

use super::{Heap, SPACE_NAMES, Space};

/// Size of an OS page, the unit in which untouched memory stays unresident.
const OS_PAGE: usize = 4096;

/// Heap statistics with the fields of Node's `v8.getHeapStatistics()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeapStatistics {
    pub total_heap_size: usize,
    pub total_heap_size_executable: usize,
    pub total_physical_size: usize,
    pub total_available_size: usize,
    pub used_heap_size: usize,
    pub heap_size_limit: usize,
    pub malloced_memory: usize,
    pub peak_malloced_memory: usize,
    pub does_zap_garbage: usize,
    pub number_of_native_contexts: usize,
    pub number_of_detached_contexts: usize,
    pub total_global_handles_size: usize,
    pub used_global_handles_size: usize,
    pub external_memory: usize,
}

/// One space's numbers, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpaceStatistics {
    pub name: &'static str,
    /// Memory committed for the space (its pages' mappings).
    pub size: usize,
    /// Bytes occupied by allocated cells (live or not yet collected).
    pub used: usize,
    /// Bytes still allocatable in committed pages without mapping more: free
    /// and never-used cells of the space's size classes.
    pub available: usize,
    /// Resident estimate: the touched prefix of each page (cells past a page's
    /// bump pointer were never written, so the OS has not backed them).
    pub physical: usize,
}

impl Heap {
    /// Statistics of every space, in [`Space`] order. The sizes sum to
    /// [`Heap::committed_bytes`] and the used sizes to [`Heap::cell_bytes`].
    pub fn space_statistics(&self) -> [SpaceStatistics; 6] {
        let mut out: [SpaceStatistics; 6] = Default::default();
        for (i, s) in out.iter_mut().enumerate() {
            s.name = SPACE_NAMES[i];
            s.size = self.stats[i].committed;
            s.used = self.stats[i].used;
        }
        for &page_ptr in &self.all_pages {
            // SAFETY: all_pages holds this heap's live page headers.
            let page = unsafe { &*page_ptr };
            let space = &mut out[page.space as usize];
            let touched = page.first_cell + page.bump * page.cell_size;
            space.physical += ((touched + OS_PAGE - 1) & !(OS_PAGE - 1)).min(page.mapping_size);
            if page.space != Space::Large {
                space.available += (page.cell_count - page.live_cells) * page.cell_size;
            }
        }
        out
    }
}
