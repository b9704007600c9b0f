//! The limits of a form's fields, each refusal naming its field.

use crate::{Error, Result};

/// Longest title of a course, module or lesson (the reader's limit).
pub(super) const MAX_TITLE: usize = 200;
/// Longest catalogue summary.
pub(super) const MAX_SUMMARY: usize = 300;
/// Longest Markdown body of a lesson or description.
pub(super) const MAX_BODY: usize = 200_000;
/// Most options of one question.
pub(super) const MAX_OPTIONS: usize = 12;
/// Most questions of one quiz.
pub(super) const MAX_QUESTIONS: usize = 100;

pub(super) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid(field, reason)
}

pub(super) fn required(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(field, "required"));
    }
    if value.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(value.to_owned())
}

pub(super) fn optional(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(invalid(field, format!("at most {max} characters")));
    }
    Ok(value.to_owned())
}

/// A lesson's estimated minutes; 0 means not estimated (as in the files).
pub(super) fn lesson_duration(field: &str, minutes: u32) -> Result<u32> {
    if minutes <= 10_000 {
        Ok(minutes)
    } else {
        Err(invalid(field, "at most 10000 minutes"))
    }
}

pub(super) fn duration(field: &str, minutes: u32) -> Result<u32> {
    if (1..=10_000).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(invalid(field, "between 1 and 10000 minutes"))
    }
}
