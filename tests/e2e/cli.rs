//! The `agora` command line: settings, help, clear failures.

use std::process::Command;

use agora_tests::{agora_bin, root};

fn agora(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(agora_bin());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let out = agora(&["--help"], &[]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for var in agora_core::config::known_env_vars() {
        assert!(
            help.contains(&var),
            "--help does not mention {var}:\n{help}"
        );
    }
    for cmd in ["serve", "migrate", "import", "export", "courses"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn malformed_settings_fail_with_a_clear_message() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "AGORA_DATABASE_URL",
            "mysql://localhost/agora",
            "unsupported database scheme",
        ),
        ("AGORA_BIND", "localhost", "invalid socket address"),
        ("AGORA_REDIS_URL", "http://localhost", "expected redis://"),
        ("AGORA_SMTP_URL", "not a url", "not a valid URL"),
        ("AGORA_LOG_FORMAT", "xml", "invalid value 'xml'"),
        (
            "AGORA_PUBLIC_URL",
            "ftp://example.org",
            "expected an http or https URL",
        ),
    ];
    for (var, value, expected) in cases {
        let out = agora(&["migrate"], &[(var, value)]);
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{var}={value}: {err}");
    }
    let out = agora(&["migrate"], &[("AGORA_S3_ENDPOINT", "http://127.0.0.1:9")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AGORA_S3_ACCESS_KEY"));
}

#[test]
fn lint_accepts_the_shipped_catalogue_and_reports_its_size() {
    let out = agora(&["courses", "lint", "courses"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("localizing-the-sdgs"), "{stdout}");
    assert!(stdout.contains("no problems"), "{stdout}");
}

#[test]
fn lint_fails_on_a_missing_translation_and_a_short_lesson() {
    let dir = agora_tests::TempDir::new();
    agora_tests::write_fixture_course(dir.path(), "fixture-course");
    let out = agora(&["courses", "lint", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("translation missing: the whole locale"),
        "{err}"
    );
    assert!(
        err.contains("fr/sheet.md: translation missing: lesson `sheet`"),
        "{err}"
    );
    assert!(
        err.contains("en/intro.md: only") && err.contains("a lesson needs at least 150"),
        "{err}"
    );
}

#[test]
fn lint_fails_on_a_quiz_without_a_correct_answer_and_an_option_without_explanation() {
    let dir = agora_tests::TempDir::new();
    agora_tests::write_fixture_course(dir.path(), "fixture-course");
    let course = dir.path().join("fixture-course");
    let yaml = std::fs::read_to_string(course.join("course.yaml")).unwrap();
    std::fs::write(
        course.join("course.yaml"),
        yaml.replace("correct: [b]", "correct: []"),
    )
    .unwrap();
    let out = agora(&["courses", "lint", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("question `q1`: has no correct answer"));

    std::fs::write(course.join("course.yaml"), yaml).unwrap();
    let quiz = std::fs::read_to_string(course.join("en/check.yaml")).unwrap();
    std::fs::write(
        course.join("en/check.yaml"),
        quiz.replace("a: { text: A, explanation: No. }", "a: { text: A }"),
    )
    .unwrap();
    let out = agora(&["courses", "lint", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("question `q1`, option `a` has no explanation"),
        "{err}"
    );
}

#[test]
fn lint_flags_an_english_name_left_in_french_a_dropped_bullet_and_missing_sources() {
    let dir = agora_tests::TempDir::new();
    let course = dir.path().join("localizing-sendai-framework");
    agora_tests::copy_dir(&root().join("courses/localizing-sendai-framework"), &course);
    std::fs::copy(
        root().join("courses/glossary.yaml"),
        dir.path().join("glossary.yaml"),
    )
    .unwrap();
    let clean = agora(&["courses", "lint", dir.path().to_str().unwrap()], &[]);
    assert!(
        clean.status.success(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );

    let lesson = course.join("fr/governing-risk-locally.md");
    let text = std::fs::read_to_string(&lesson).unwrap();
    std::fs::write(
        &lesson,
        text.replace(
            "Pour des villes résilientes 2030",
            "Making Cities Resilient 2030",
        ),
    )
    .unwrap();
    let warning = course.join("es/early-warning-and-preparedness.md");
    let text = std::fs::read_to_string(&warning).unwrap();
    let bullet = text
        .lines()
        .find(|l| l.starts_with("- Apoyar, cuando sea útil, el monitoreo comunitario"))
        .unwrap()
        .to_owned();
    std::fs::write(&warning, text.replace(&format!("{bullet}\n"), "")).unwrap();
    let yaml = std::fs::read_to_string(course.join("course.yaml")).unwrap();
    let start = yaml.find("sources:").unwrap();
    let end = yaml.find("modules:").unwrap();
    std::fs::write(
        course.join("course.yaml"),
        format!("{}{}", &yaml[..start], &yaml[end..]),
    )
    .unwrap();

    let out = agora(&["courses", "lint", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fr/governing-risk-locally.md:")
            && err.contains("`Making Cities Resilient 2030` is left in English"),
        "{err}"
    );
    assert!(
        err.contains("es/early-warning-and-preparedness.md: translation parity:")
            && err.contains("list items where en has"),
        "{err}"
    );
    assert!(
        err.contains("course.yaml: sources: cite the official documents"),
        "{err}"
    );
}
