//! The API contract: schemathesis (PyPI, pinned in scripts/test) runs all
//! its checks in all its phases (examples, coverage, fuzzing, stateful),
//! with a fixed seed and 60 examples per operation, against
//! `/api/openapi.json` as an administrator and as a learner, and finds no
//! failure: every answer is declared by the document, in its schema, with
//! its content type and headers, and every request the document forbids is
//! refused.
//!
//! `tests/schemathesis.toml` names the operations whose rules go beyond
//! what JSON Schema can state (a strong password, a zip that reads), where a
//! 422 is a valid answer to a request that matches the document. Nothing
//! else is excused: any failure fails the test.

use std::{
    path::PathBuf,
    process::{Command, Output},
    time::Instant,
};

use agora_tests::{TempDir, TestServer, home, root};

/// Fixed, so a failure found in CI is found again on a laptop.
const SEED: &str = "20261204";
/// Test cases per operation and phase: 60 keeps the whole CI run under 40
/// minutes on 2 cores now that 210 operations are documented.
const EXAMPLES: &str = "60";

/// The operations that end the session the run authenticates with: signing
/// out revokes it, and `GET /me/tokens` lists it, so the stateful phase
/// follows that link to `DELETE /me/tokens/{id}`. Either would turn every
/// later answer into a 401, which tests nothing. They get a run of their
/// own, as a learner nobody needs afterwards.
const SESSION_ENDING: [&str; 2] = ["sign_out", "revoke_token"];

/// schemathesis's `st`, installed by scripts/test.
fn schemathesis() -> PathBuf {
    let path = std::env::var_os("AGORA_TEST_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| home().join(".cache/agora-test/venv/bin/st"));
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test, which installs schemathesis, or set AGORA_TEST_SCHEMATHESIS",
        path.display()
    );
    path
}

/// Which operations a run covers.
enum Operations {
    AllBut(&'static [&'static str]),
    Only(&'static [&'static str]),
}

/// One schemathesis run against `server` with `token`; its output says what
/// it found.
fn run(server: &TestServer, who: &str, token: &str, operations: Operations) -> Output {
    let reports = TempDir::new();
    let mut cmd = Command::new(schemathesis());
    cmd.arg("--config-file")
        .arg(root().join("tests/schemathesis.toml"))
        .arg("run")
        .arg(server.url("/api/openapi.json"))
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", EXAMPLES, "--seed", SEED])
        .args(["--generation-database", "none"])
        .args(["--workers", "1"])
        .args(["--no-color", "--output-truncate", "false"])
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .args(["--report", "junit", "--report-dir"])
        .arg(reports.path());
    match operations {
        Operations::AllBut(ids) => {
            for id in ids {
                cmd.args(["--exclude-operation-id", id]);
            }
        }
        Operations::Only(ids) => {
            for id in ids {
                cmd.args(["--include-operation-id", id]);
            }
        }
    }
    // Its caches (crash reproductions) go to the temporary folder, not the clone.
    cmd.current_dir(reports.path());
    let started = Instant::now();
    let out = cmd.output().expect("run schemathesis");
    eprintln!(
        "schemathesis as {who}: {:.0} s, exit {}",
        started.elapsed().as_secs_f64(),
        out.status
    );
    out
}

fn assert_clean(who: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis as {who} found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_holds_to_its_openapi_document_for_an_administrator_and_a_learner() {
    let server = TestServer::start().await;
    let admin = server.admin("contract-admin@agora.example").await;
    let learner = server.learner("contract-learner@agora.example").await;
    let leaving = server.learner("contract-leaving@agora.example").await;

    // The two runs at once: each is one Python process, mostly waiting on
    // the other core's server.
    let (admin_run, learner_run) = std::thread::scope(|s| {
        let admin = s.spawn(|| {
            run(
                &server,
                "an administrator",
                &admin.token,
                Operations::AllBut(&SESSION_ENDING),
            )
        });
        let learner = s.spawn(|| {
            run(
                &server,
                "a learner",
                &learner.token,
                Operations::AllBut(&SESSION_ENDING),
            )
        });
        (admin.join().unwrap(), learner.join().unwrap())
    });
    assert_clean("an administrator", &admin_run);
    assert_clean("a learner", &learner_run);
    let leaving_run = run(
        &server,
        "a learner ending their session",
        &leaving.token,
        Operations::Only(&SESSION_ENDING),
    );
    assert_clean("a learner ending their session", &leaving_run);
}
