//! The work a check may do: a limit on expanded rules (and group members)
//! and a wall-clock deadline, both checked cooperatively in the long loops,
//! so that a hostile file ends with a clear error instead of a hang or an
//! exhausted memory.

use crate::NetcheckError;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Limits of one check ([`crate::check_with`]).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Work units: rules reached while flattening chains, and members met
    /// while expanding address and service groups. `None`: the default,
    /// [`Limits::BASE_WORK`] plus one unit for every [`Limits::BYTES_PER_WORK`]
    /// bytes of the configurations, so that large honest files always fit.
    pub max_work: Option<u64>,
    /// Wall clock for the whole check.
    pub deadline: Option<Duration>,
}

impl Limits {
    /// Work every check may do, whatever its size.
    pub const BASE_WORK: u64 = 1_000_000;
    /// Bytes of configuration that bring one more unit of work (a rule
    /// line is 40 to 120 bytes: about eight units a line).
    pub const BYTES_PER_WORK: u64 = 10;
    /// Default wall clock of a check.
    pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

    /// No limits at all (tests of the algebra, trusted callers).
    pub fn unlimited() -> Self {
        Limits {
            max_work: Some(u64::MAX),
            deadline: None,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_work: None,
            deadline: Some(Self::DEFAULT_DEADLINE),
        }
    }
}

/// The running budget of one check, shared by its threads.
#[derive(Debug)]
pub(crate) struct Budget {
    max_work: u64,
    used: AtomicU64,
    deadline: Option<(Instant, Duration)>,
    spent: AtomicBool,
}

impl Budget {
    pub fn new(limits: &Limits, bytes: usize) -> Self {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        Budget {
            max_work: limits.max_work.unwrap_or_else(|| {
                Limits::BASE_WORK.saturating_add(bytes / Limits::BYTES_PER_WORK)
            }),
            used: AtomicU64::new(0),
            deadline: limits.deadline.map(|d| (Instant::now() + d, d)),
            spent: AtomicBool::new(false),
        }
    }

    /// Spends `n` units; the deadline is looked at every few thousand.
    pub fn spend(&self, n: u64) -> Result<(), NetcheckError> {
        let before = self.used.fetch_add(n, Ordering::Relaxed);
        let now = before.saturating_add(n);
        if now > self.max_work || self.spent.load(Ordering::Relaxed) {
            self.spent.store(true, Ordering::Relaxed);
            return Err(NetcheckError::Budget {
                message: format!(
                    "設定の展開が上限 ({} 単位) を超えたため、検査を中止しました。グループやチェーンの入れ子が深すぎるか、規則が多すぎます",
                    self.max_work
                ),
                message_en: format!(
                    "the check was stopped: expanding the configuration took more than its limit of {} work units (groups or chains nested too deeply, or too many rules)",
                    self.max_work
                ),
            });
        }
        if before / 4096 != now / 4096 {
            self.check_time()?;
        }
        Ok(())
    }

    /// Fails when the deadline has passed.
    pub fn check_time(&self) -> Result<(), NetcheckError> {
        if let Some((at, d)) = self.deadline
            && Instant::now() > at
        {
            self.spent.store(true, Ordering::Relaxed);
            return Err(NetcheckError::Budget {
                message: format!(
                    "検査が制限時間 ({} 秒) を超えたため、中止しました",
                    d.as_secs()
                ),
                message_en: format!(
                    "the check was stopped: it took longer than its limit of {} s",
                    d.as_secs()
                ),
            });
        }
        Ok(())
    }
}
