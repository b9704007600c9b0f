//! Reading text files of the folder format: whole files, YAML with its
//! line numbers, Markdown front matter.

use std::path::Path;

use super::Report;

/// The 1-based line of the first occurrence of `needle` in `text`.
pub(super) fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

pub(super) fn read_text(path: &Path, report: &mut Report) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) => {
            report.error(path, None, format!("cannot read: {e}"));
            None
        }
    }
}

pub(super) fn parse_yaml<T: serde::de::DeserializeOwned>(
    path: &Path,
    text: &str,
    report: &mut Report,
) -> Option<T> {
    match serde_yaml_ng::from_str::<T>(text) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.location().map(|l| l.line());
            let msg = e.to_string();
            // serde_yaml appends " at line X column Y"; the line is already in the prefix.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            report.error(path, line, msg);
            None
        }
    }
}

pub(super) fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let end = rest.find("\n---")?;
    let front = &rest[..end + 1];
    let after = &rest[end + 4..];
    let body = after
        .strip_prefix('\n')
        .or_else(|| after.strip_prefix("\r\n"))
        .unwrap_or(after);
    Some((front, body))
}
