//! The frameworks a practice serves, in the vocabulary of course themes:
//! `sdg:11` (a goal) and `sdg:11.5` (one of its targets), `sendai:1` to
//! `sendai:4` (the Sendai Framework's priorities for action) and
//! `sendai-target:a` to `sendai-target:g` (its seven global targets).

use std::{fmt, str::FromStr};

use crate::domain::Theme;

/// Per goal: how many numbered targets, and the last lettered one (the
/// "means of implementation"), as the 2030 Agenda lists them (169 in all).
const SDG_TARGETS: [(u8, char); 17] = [
    (5, 'b'),
    (5, 'c'),
    (9, 'd'),
    (7, 'c'),
    (6, 'c'),
    (6, 'b'),
    (3, 'b'),
    (10, 'b'),
    (5, 'c'),
    (7, 'c'),
    (7, 'c'),
    (8, 'c'),
    (3, 'b'),
    (7, 'c'),
    (9, 'c'),
    (10, 'b'),
    (19, ' '),
];

/// One code of a practice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// A Sustainable Development Goal, 1–17.
    Goal(u8),
    /// A target of a goal: `11.5`, `11.b`.
    Target(u8, String),
    /// A Sendai Framework priority for action, 1–4.
    Priority(u8),
    /// A Sendai Framework global target, a–g.
    SendaiTarget(char),
}

impl Code {
    /// The SDG this code belongs to, if any.
    pub fn goal(&self) -> Option<u8> {
        match self {
            Code::Goal(n) | Code::Target(n, _) => Some(*n),
            _ => None,
        }
    }
    /// `sendai:1` or `sendai-target:b` for a Sendai code.
    pub fn is_sendai(&self) -> bool {
        matches!(self, Code::Priority(_) | Code::SendaiTarget(_))
    }
}

fn target_exists(goal: u8, t: &str) -> bool {
    let (numbered, last_letter) = SDG_TARGETS[usize::from(goal - 1)];
    match t.parse::<u8>() {
        Ok(n) => (1..=numbered).contains(&n) && !t.starts_with('0'),
        Err(_) => {
            let mut cs = t.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => c.is_ascii_lowercase() && c <= last_letter,
                _ => false,
            }
        }
    }
}

impl FromStr for Code {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || {
            format!(
                "`{}` is not a known code: use sdg:1 to sdg:17, an SDG target such as sdg:11.5, \
                 sendai:1 to sendai:4, or sendai-target:a to sendai-target:g",
                crate::domain::truncate(s, 40)
            )
        };
        if let Some(t) = s.strip_prefix("sendai-target:") {
            let mut cs = t.chars();
            return match (cs.next(), cs.next()) {
                (Some(c @ 'a'..='g'), None) => Ok(Code::SendaiTarget(c)),
                _ => Err(bad()),
            };
        }
        if let Some((goal, target)) = s.strip_prefix("sdg:").and_then(|r| r.split_once('.')) {
            let goal: u8 = goal.parse().map_err(|_| bad())?;
            if (1..=17).contains(&goal) && !goal_text_padded(s) && target_exists(goal, target) {
                return Ok(Code::Target(goal, target.to_owned()));
            }
            return Err(bad());
        }
        match s.parse::<Theme>() {
            Ok(Theme::Sdg(n)) if !goal_text_padded(s) => Ok(Code::Goal(n)),
            Ok(Theme::Sendai(n)) => Ok(Code::Priority(n)),
            _ => Err(bad()),
        }
    }
}

/// `sdg:01` and `sdg:011.5` are refused: one spelling per code.
fn goal_text_padded(s: &str) -> bool {
    s.strip_prefix("sdg:").is_some_and(|r| r.starts_with('0'))
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Goal(n) => write!(f, "sdg:{n}"),
            Code::Target(n, t) => write!(f, "sdg:{n}.{t}"),
            Code::Priority(n) => write!(f, "sendai:{n}"),
            Code::SendaiTarget(c) => write!(f, "sendai-target:{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_ones_are_refused() {
        for ok in [
            "sdg:1",
            "sdg:17",
            "sdg:11.5",
            "sdg:11.b",
            "sdg:17.19",
            "sdg:3.d",
            "sendai:4",
            "sendai-target:g",
        ] {
            assert_eq!(ok.parse::<Code>().unwrap().to_string(), ok);
        }
        for bad in [
            "sdg:0",
            "sdg:18",
            "sdg:01",
            "sdg:11.8",
            "sdg:11.d",
            "sdg:17.a",
            "sdg:11.05",
            "sdg:11.",
            "sendai:5",
            "sendai-target:h",
            "sendai-target:",
            "tag:x",
            "",
            "sdg:3.dd",
        ] {
            assert!(bad.parse::<Code>().is_err(), "{bad}");
        }
        assert_eq!(
            SDG_TARGETS
                .iter()
                .map(|(n, l)| usize::from(*n)
                    + if *l == ' ' {
                        0
                    } else {
                        (*l as u8 - b'a' + 1) as usize
                    })
                .sum::<usize>(),
            169
        );
    }
}
