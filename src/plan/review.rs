//! Where a reported figure stands in review: entered and waiting, approved, or returned
//! to its editor. Only approved figures count in dashboards and evaluations.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    /// 待审核: entered or changed, waiting for a reviewer.
    Pending,
    /// 已审核: approved; its value is the one reports use.
    Approved,
    /// 已退回: sent back to the editor with a reason; an earlier approved value still stands.
    Returned,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 3] = [ReviewStatus::Pending, ReviewStatus::Approved, ReviewStatus::Returned];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// As the entry grid and exported sheets show it.
    pub fn label_zh(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "待审核",
            ReviewStatus::Approved => "已审核",
            ReviewStatus::Returned => "已退回",
        }
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_parses_back_from_its_name_and_has_its_own_label() {
        for s in ReviewStatus::ALL {
            assert_eq!(ReviewStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        let labels: std::collections::HashSet<_> = ReviewStatus::ALL.iter().map(|s| s.label_zh()).collect();
        assert_eq!(labels.len(), 3);
        assert_eq!(ReviewStatus::parse("Pending"), None);
        assert_eq!(ReviewStatus::parse(""), None);
    }
}
