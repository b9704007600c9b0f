//! The k-anonymity floor of network-wide reports: a count of people (or of
//! their enrolments and completions) from 1 to 4 is shown as "fewer than
//! 5", so that no figure a coordinator reads can single one person out.
//! Zero reveals nobody and is shown. Counts of organisations are not
//! people and are shown as they are.

use serde::Serialize;

/// The smallest count of people shown as a number.
pub const FLOOR: u64 = 5;

/// A count as a network-wide report may show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Floored {
    Exact(u64),
    /// Between 1 and [`FLOOR`] − 1.
    FewerThanFloor,
}

impl Floored {
    pub fn of(n: u64) -> Floored {
        if n > 0 && n < FLOOR {
            Floored::FewerThanFloor
        } else {
            Floored::Exact(n)
        }
    }

    /// The number, or `None` when it is hidden.
    pub fn value(self) -> Option<u64> {
        match self {
            Floored::Exact(n) => Some(n),
            Floored::FewerThanFloor => None,
        }
    }

    pub fn suppressed(self) -> bool {
        self == Floored::FewerThanFloor
    }

    /// As a CSV cell: the number, or `fewer than 5`.
    pub fn csv(self) -> String {
        match self {
            Floored::Exact(n) => n.to_string(),
            Floored::FewerThanFloor => format!("fewer than {FLOOR}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_to_four_are_hidden_zero_and_five_are_not() {
        assert_eq!(Floored::of(0), Floored::Exact(0));
        for n in 1..5 {
            assert!(Floored::of(n).suppressed());
            assert_eq!(Floored::of(n).value(), None);
            assert_eq!(Floored::of(n).csv(), "fewer than 5");
        }
        assert_eq!(Floored::of(5).value(), Some(5));
        assert_eq!(Floored::of(5).csv(), "5");
    }
}
