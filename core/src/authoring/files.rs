//! The files of a draft: which paths the folder format allows, their size
//! limits, reading them as a course, and zip archives of them.

use std::{
    collections::BTreeMap,
    io::{Cursor, Read, Write},
};

use super::invalid;
use crate::{
    Error, Result,
    course_source::{self, CourseSource, MAX_RESOURCE_BYTES, Problem, Report},
    domain::Locale,
};

/// Largest Markdown or YAML file of a draft.
pub const MAX_TEXT_BYTES: usize = 512 * 1024;
/// Largest uploaded course archive.
pub const MAX_ARCHIVE_BYTES: usize = 50 * 1024 * 1024;
/// Most files in one course.
pub const MAX_FILES: usize = 1000;

/// A draft file's path: the shapes of the `courses/` folder format only.
pub fn check_path(path: &str) -> Result<()> {
    let bad = |reason: &str| invalid("path", format!("`{path}`: {reason}"));
    if path.is_empty() || path.len() > 200 {
        return Err(bad("must be 1–200 characters"));
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts.iter().any(|p| {
        p.is_empty()
            || p.starts_with('.')
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    }) {
        return Err(bad(
            "use lowercase letters, digits, `-`, `_` and `.`, with `/` between folders",
        ));
    }
    match parts.as_slice() {
        ["course.yaml"] => Ok(()),
        [course_source::media::MEDIA_DIR, _] => Ok(()),
        [locale, rest @ ..] if locale.parse::<Locale>().is_ok() => match rest {
            [name] if name.ends_with(".md") || name.ends_with(".yaml") => Ok(()),
            ["resources", _] => Ok(()),
            _ => Err(bad(
                "expected `course.yaml`, `{locale}/meta.yaml`, `{locale}/{lesson}.md`, `{locale}/{quiz}.yaml` or `{locale}/resources/{file}`",
            )),
        },
        _ => Err(bad(
            "expected `course.yaml`, a file under a locale folder (`en/`, `fr/`, `es/`) or `media/{file}`",
        )),
    }
}

pub(super) fn check_file(path: &str, data: &[u8]) -> Result<()> {
    check_path(path)?;
    let is_media = path.starts_with("media/");
    let is_resource = path.contains("/resources/") || is_media;
    let limit = if is_media {
        course_source::media::MAX_FILE_BYTES
    } else if is_resource {
        MAX_RESOURCE_BYTES
    } else {
        MAX_TEXT_BYTES
    };
    if data.len() > limit {
        return Err(invalid(
            path,
            format!("{} bytes is over the limit of {limit} bytes", data.len()),
        ));
    }
    if !is_resource && (std::str::from_utf8(data).is_err() || data.contains(&0)) {
        return Err(invalid(path, "must be UTF-8 text"));
    }
    Ok(())
}

/// Reads a set of files with the importer's reader. `Err` carries every
/// problem, with paths relative to the course folder.
pub fn read_files(
    files: &BTreeMap<String, Vec<u8>>,
) -> std::result::Result<(CourseSource, Vec<Problem>), Vec<Problem>> {
    let io = |e: std::io::Error| {
        vec![Problem {
            file: "".into(),
            line: None,
            message: format!("cannot check the course: {e}"),
        }]
    };
    let tmp = tempfile::tempdir().map_err(io)?;
    let dir = tmp.path().join("course");
    for (path, data) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        std::fs::write(&target, data).map_err(io)?;
    }
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut report = Report::default();
    let source = course_source::read_course(&dir, &mut report);
    let relative = |mut p: Problem| {
        p.file = p.file.strip_prefix(&dir).unwrap_or(&p.file).to_owned();
        p
    };
    let errors: Vec<Problem> = report.errors.into_iter().map(relative).collect();
    let warnings: Vec<Problem> = report.warnings.into_iter().map(relative).collect();
    match source {
        Some(s) if errors.is_empty() => Ok((s, warnings)),
        _ if errors.is_empty() => Err(vec![Problem {
            file: "course.yaml".into(),
            line: None,
            message: "the course cannot be read".into(),
        }]),
        _ => Err(errors),
    }
}

/// A draft the structured editors cannot open: its files do not read.
pub(super) fn broken_draft(problems: Vec<Problem>) -> Error {
    match problems_error(problems) {
        Error::Invalid { field, reason } => Error::Conflict {
            field: "draft".into(),
            reason: format!(
                "the draft's files have a problem; fix it in the file editor first ({field}: {reason})"
            ),
        },
        other => other,
    }
}

/// The first problem as the field at fault, the rest in the message.
pub(super) fn problems_error(problems: Vec<Problem>) -> Error {
    let first = &problems[0];
    let field = match first.line {
        Some(l) => format!("{}:{l}", first.file.display()),
        None => first.file.display().to_string(),
    };
    let mut reason = first.message.clone();
    if problems.len() > 1 {
        reason.push_str(&format!(" (and {} more: ", problems.len() - 1));
        let rest: Vec<String> = problems[1..].iter().map(|p| p.to_string()).collect();
        reason.push_str(&rest.join("; "));
        reason.push(')');
    }
    invalid(field, reason)
}

/// Zips a course's files under a folder named after its slug.
pub fn zip_files(slug: &str, files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    let fail = |e: &dyn std::fmt::Display| Error::Internal(format!("zip: {e}"));
    for (path, data) in files {
        out.start_file(format!("{slug}/{path}"), options)
            .map_err(|e| fail(&e))?;
        out.write_all(data).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
}

/// Unzips a course archive: the files of one course folder, at the top or
/// inside a single folder. Paths are checked before anything is read.
pub fn unzip_files(archive: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    if archive.len() > MAX_ARCHIVE_BYTES {
        return Err(invalid(
            "archive",
            format!("the archive is over {MAX_ARCHIVE_BYTES} bytes"),
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(archive))
        .map_err(|e| invalid("archive", format!("not a zip archive: {e}")))?;
    if zip.len() > MAX_FILES * 2 {
        return Err(invalid("archive", "too many files"));
    }
    let mut names: Vec<String> = Vec::new();
    for i in 0..zip.len() {
        let f = zip
            .by_index(i)
            .map_err(|e| invalid("archive", format!("cannot read: {e}")))?;
        if !f.is_dir() {
            let name = f
                .name()
                .map_err(|e| invalid("archive", format!("a file name is not valid: {e}")))?;
            names.push(name.into_owned());
        }
    }
    let names_ok: Vec<&String> = names
        .iter()
        .filter(|n| {
            !n.starts_with("__MACOSX/") && !n.rsplit('/').next().unwrap_or("").starts_with('.')
        })
        .collect();
    // One top folder holding course.yaml (as downloads are), or none.
    let prefix = if names_ok.iter().any(|n| *n == "course.yaml") {
        String::new()
    } else {
        let tops: std::collections::BTreeSet<&str> = names_ok
            .iter()
            .filter_map(|n| n.split_once('/').map(|(t, _)| t))
            .collect();
        match tops.into_iter().collect::<Vec<_>>().as_slice() {
            [one] if names_ok.iter().any(|n| **n == format!("{one}/course.yaml")) => {
                format!("{one}/")
            }
            _ => {
                return Err(invalid(
                    "archive",
                    "expected one course folder: `course.yaml` at the top or in a single folder",
                ));
            }
        }
    };
    let mut files = BTreeMap::new();
    let mut total = 0usize;
    for name in names_ok {
        let Some(path) = name.strip_prefix(&prefix) else {
            return Err(invalid(name.as_str(), "is outside the course folder"));
        };
        check_path(path)?;
        let mut entry = zip
            .by_name(name)
            .map_err(|e| invalid(name.as_str(), format!("cannot read: {e}")))?;
        // The sizes a zip declares can lie: read at most one byte past the limit.
        let mut data = Vec::new();
        entry
            .by_ref()
            .take(MAX_RESOURCE_BYTES as u64 + 1)
            .read_to_end(&mut data)
            .map_err(|e| invalid(name.as_str(), format!("cannot read: {e}")))?;
        total += data.len();
        if total > MAX_ARCHIVE_BYTES {
            return Err(invalid("archive", "the unpacked course is too large"));
        }
        check_file(path, &data)?;
        files.insert(path.to_owned(), data);
    }
    if files.len() > MAX_FILES {
        return Err(invalid("archive", format!("more than {MAX_FILES} files")));
    }
    Ok(files)
}

/// The starting files of a new course: one module with one lesson, in the
/// default locale, that the reader accepts.
pub(super) fn skeleton(
    slug: &str,
    locale: Locale,
    title: &str,
    summary: &str,
) -> BTreeMap<String, Vec<u8>> {
    let yaml = |s: &str| serde_json::to_string(s).expect("strings serialise");
    let mut files = BTreeMap::new();
    files.insert(
        "course.yaml".to_owned(),
        format!(
            "slug: {slug}\ndefault_locale: {locale}\nlevel: beginner\nduration_minutes: 10\nthemes:\n  sdgs: []\n  sendai: []\n  tags: []\nmodules:\n  - id: introduction\n    lessons:\n      - id: welcome\n        kind: text\n        duration_minutes: 10\n"
        )
        .into_bytes(),
    );
    files.insert(
        format!("{locale}/meta.yaml"),
        format!(
            "title: {}\nsummary: {}\ndescription: |\n  {}\nobjectives:\n  - {}\nmodules:\n  introduction:\n    title: {}\n",
            yaml(title),
            yaml(summary),
            summary.replace('\n', " "),
            yaml(summary),
            yaml(title),
        )
        .into_bytes(),
    );
    files.insert(
        format!("{locale}/welcome.md"),
        format!("---\ntitle: {}\n---\n{}\n", yaml(title), summary).into_bytes(),
    );
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_folder_format() {
        for ok in [
            "course.yaml",
            "en/meta.yaml",
            "fr/intro.md",
            "es/quiz.yaml",
            "en/resources/sheet.pdf",
        ] {
            assert!(check_path(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../course.yaml",
            "en/../../etc/passwd",
            "/course.yaml",
            "de/meta.yaml",
            "en/a/b/c.md",
            "en/.hidden.md",
            "en/script.js",
            "en//x.md",
            "EN/Meta.yaml\u{0}",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_course_skeleton_reads_and_zips_round_trip() {
        let files = skeleton(
            "storm-drains",
            Locale::Fr,
            "Des « avaloirs »: guide",
            "Un résumé.",
        );
        let (source, _) = read_files(&files).expect("the skeleton reads");
        assert_eq!(source.slug.as_str(), "storm-drains");
        assert_eq!(source.texts[&Locale::Fr].title, "Des « avaloirs »: guide");
        let zipped = zip_files("storm-drains", &files).unwrap();
        assert_eq!(unzip_files(&zipped).unwrap(), files);
    }

    #[test]
    fn archives_are_checked_before_they_are_read() {
        assert!(unzip_files(b"not a zip").is_err());
        let mut files = BTreeMap::new();
        files.insert("../escape.md".to_owned(), b"x".to_vec());
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        out.start_file("../escape.md", zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(b"x").unwrap();
        let bytes = out.finish().unwrap().into_inner();
        assert!(unzip_files(&bytes).is_err());
    }

    #[test]
    fn problems_name_the_file_and_line() {
        let mut files = skeleton("storm-drains", Locale::En, "Title", "Summary");
        files.insert(
            "course.yaml".into(),
            b"slug: storm-drains\ndefault_locale: en\nlevel: expert\nduration_minutes: 10\nmodules: []\n"
                .to_vec(),
        );
        let problems = read_files(&files).unwrap_err();
        let e = problems_error(problems);
        match e {
            Error::Invalid { field, reason } => {
                assert!(field.starts_with("course.yaml"), "{field}");
                assert!(reason.contains("level"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}
