//! Findings (指摘事項) and their corrective actions: how serious a finding
//! is, where it came from, and the states it goes through: open →
//! action_planned (an owner and a due date) → done (reported by the owner) →
//! verified (by someone other than the owner) → closed. A verifier who is not
//! satisfied sends the action back (action_planned).

use crate::ops::coded;

coded! {
    /// How serious a finding is.
    FindingSeverity {
        High => ("high", "高", "High"),
        Medium => ("medium", "中", "Medium"),
        Low => ("low", "低", "Low"),
    }
}

coded! {
    /// Where a finding stands.
    FindingState {
        Open => ("open", "未対応", "Open"),
        ActionPlanned => ("action_planned", "是正計画あり", "Action planned"),
        Done => ("done", "是正完了報告", "Action reported done"),
        Verified => ("verified", "確認済", "Verified"),
        Closed => ("closed", "終結", "Closed"),
    }
}

coded! {
    /// Where a finding came from.
    FindingSource {
        Manual => ("manual", "手入力", "Entered"),
        Inspection => ("inspection", "自己点検", "Self-inspection"),
        Audit => ("audit", "監査", "Audit"),
        Netcheck => ("netcheck", "ファイアウォール検査", "Firewall check"),
    }
}

impl FindingState {
    /// Still needs someone: not verified and not closed.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            FindingState::Open | FindingState::ActionPlanned | FindingState::Done
        )
    }
}

/// The key that makes raising a self-inspection finding idempotent.
pub fn inspection_key(inspection: i64, target: i64, item: i64) -> String {
    format!("inspection:{inspection}:{target}:{item}")
}

/// The key that makes raising a firewall-check finding idempotent.
pub fn netcheck_key(run: i64, violation: usize) -> String {
    format!("netcheck:{run}:{violation}")
}

#[cfg(test)]
mod finding_tests {
    use super::*;

    #[test]
    fn codes_read_back() {
        for s in FindingState::ALL {
            assert_eq!(FindingState::parse(s.code()), Some(*s));
        }
        assert_eq!(FindingSeverity::parse("high"), Some(FindingSeverity::High));
        assert_eq!(FindingSeverity::parse("urgent"), None);
        assert!(FindingState::Done.is_active());
        assert!(!FindingState::Verified.is_active());
        assert_eq!(inspection_key(1, 2, 3), "inspection:1:2:3");
    }
}
