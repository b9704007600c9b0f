//! The process's own figures: resident memory and uptime.

use std::{sync::LazyLock, time::Instant};

use super::Metrics;

static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Starts the uptime clock; called when a binary starts.
pub fn mark_start() {
    LazyLock::force(&STARTED);
}

pub(super) fn refresh(m: &Metrics) {
    m.uptime.set(STARTED.elapsed().as_secs_f64());
    if let Some(bytes) = resident_bytes() {
        m.resident_memory.set(bytes as i64);
    }
}

/// Resident set size from `/proc/self/status` (`VmRSS`, in kB), on Linux.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn resident_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(super::resident_bytes().unwrap() > 0);
        }
    }
}
