//! Certificates in every script (issue 20): learners whose names, and courses
//! whose titles, are written in Latin with every mark, Greek, Cyrillic,
//! Arabic, Hebrew, Devanagari, Chinese, Japanese and Korean get a PDF that
//! gives back exactly that text, with every font embedded, under 300 KB.
//! Each PDF is also rendered to PNG in the run's artefacts for people to look at.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

use agora_core::entities::certificate;
use agora_tests::{Learner, PASSWORD, ServerOptions, TempDir, TestServer, write_fixture_course};
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

/// (key, learner's name, course title).
const PEOPLE: [(&str, &str, &str); 10] = [
    (
        "vietnamese",
        "Nguyễn Thị Minh Khai",
        "Quy hoạch đô thị bền vững",
    ),
    ("yoruba", "Adéọlá Ògúnlẹ̀yẹ", "Ìṣàkóso ìlú àti àyíká"),
    (
        "greek",
        "Αλέξανδρος Παπαδόπουλος",
        "Βιώσιμη αστική ανάπτυξη",
    ),
    ("cyrillic", "Анна Кузнецова", "Устойчивое развитие городов"),
    ("arabic", "محمد الأحمد", "التنمية الحضرية المستدامة"),
    ("hebrew", "דוד כהן", "פיתוח עירוני בר קיימא"),
    ("devanagari", "अनीता शर्मा", "सतत शहरी विकास"),
    ("chinese", "王小明", "城市可持续发展"),
    ("japanese", "山田太郎", "持続可能なまちづくり"),
    ("korean", "김민준", "지속 가능한 도시 개발"),
];

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// A line as `pdftotext` gives it: it wraps right-to-left lines in the
/// embedding controls U+202B…U+202C, which are its markup, not the text.
fn read_back(line: &str) -> String {
    nfc(line
        .trim()
        .trim_start_matches(['\u{202A}', '\u{202B}'])
        .trim_end_matches('\u{202C}')
        .trim())
}

/// Where this run keeps what people look at afterwards: beside the test
/// binary's target folder.
fn artefacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| agora_tests::root().join("target"));
    let db = if agora_tests::uses_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    let dir = target.join("e2e-artefacts/certificate-scripts").join(db);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The standard output of `program args... file after...`.
fn run(program: &str, args: &[&str], file: &Path, after: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .args(after)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils, installed by scripts/test): {e}"));
    assert!(
        out.status.success(),
        "{program} failed on {}",
        file.display()
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// A learner with a name of their own, verified and signed in.
async fn learner_named(server: &TestServer, email: &str, name: &str) -> Learner {
    let (status, body) = server
        .post_json(
            "/api/v1/accounts",
            json!({ "email": email, "password": PASSWORD, "display_name": name, "locale": "en" }),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let token = server
        .mail_token("mail.verify_email", email)
        .await
        .expect("a verification mail job");
    let (status, body) = server
        .post_json("/api/v1/accounts/verify", json!({ "token": token }))
        .await;
    assert_eq!(status, 200, "{body}");
    server.signed_in(email).await
}

async fn complete(server: &TestServer, l: &Learner, slug: &str) {
    let course = format!("/api/v1/courses/{slug}");
    let (status, body) = server
        .call(l, Method::POST, &format!("{course}/enrolment"), None)
        .await;
    assert_eq!(status, 201, "{body}");
    for lesson in ["intro", "sheet"] {
        let path = format!("{course}/lessons/{lesson}/completion");
        let (status, _) = server.call(l, Method::POST, &path, None).await;
        assert_eq!(status, 200);
    }
    let (_, r) = server
        .call(
            l,
            Method::POST,
            &format!("{course}/lessons/check/attempts"),
            Some(json!({ "answers": { "q1": ["b"], "q2": ["false"] } })),
        )
        .await;
    assert!(r["progress"]["completed_at"].is_string(), "{r}");
}

async fn stored_pdf(server: &TestServer, l: &Learner, name: &str) -> Vec<u8> {
    let conn = server.conn().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    let code = loop {
        let stored = certificate::Entity::find()
            .filter(certificate::Column::HolderName.eq(name))
            .one(&conn)
            .await
            .unwrap()
            .filter(|c| c.stored_at.is_some());
        if let Some(c) = stored {
            break c.code;
        }
        assert!(
            Instant::now() < deadline,
            "no certificate for {name}:\n{}",
            server.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let r = server
        .as_learner(
            l,
            Method::GET,
            &format!("/api/v1/me/certificates/{code}/pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn names_and_titles_in_every_script_print_exactly() {
    let courses = TempDir::new();
    for (key, _, title) in PEOPLE {
        let slug = format!("course-{key}");
        write_fixture_course(courses.path(), &slug);
        let meta = courses.path().join(&slug).join("en/meta.yaml");
        let yaml = std::fs::read_to_string(&meta).unwrap().replacen(
            "title: Fixture course",
            &format!("title: \"{title}\""),
            1,
        );
        std::fs::write(&meta, yaml).unwrap();
    }
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![("AGORA_JOB_RETRY_SECONDS".into(), "1".into())],
    })
    .await;

    let out = artefacts();
    let mut learners = Vec::new();
    for (key, name, _) in PEOPLE {
        let l = learner_named(&server, &format!("{key}@city.example"), name).await;
        complete(&server, &l, &format!("course-{key}")).await;
        learners.push(l);
    }
    for ((key, name, title), l) in PEOPLE.iter().zip(&learners) {
        let pdf = stored_pdf(&server, l, name).await;
        assert!(pdf.starts_with(b"%PDF-"), "{key}");
        assert!(
            pdf.len() < 300 * 1024,
            "{key}: the PDF is {} bytes",
            pdf.len()
        );
        let file = out.join(format!("{key}.pdf"));
        std::fs::write(&file, &pdf).unwrap();

        // Read back, line by line: the name and the title are there, exactly.
        let text = run("pdftotext", &["-enc", "UTF-8"], &file, &["-"]);
        let lines: Vec<String> = text.lines().map(read_back).collect();
        for wanted in [name, title] {
            assert!(
                lines.contains(&nfc(wanted)),
                "{key}: {wanted:?} is not a line of the PDF's text:\n{text}"
            );
        }
        assert!(
            lines.contains(&"Certificate of Completion".to_owned()),
            "{text}"
        );

        // Every font embedded (and subset: a name like ABCDEF+Font).
        let fonts = run("pdffonts", &[], &file, &[]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(rows.len() >= 4, "{key}: too few fonts:\n{fonts}");
        for row in &rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type... encoding emb sub uni object ID
            let n = cols.len();
            assert!(n >= 7, "{row}");
            assert_eq!(
                (cols[n - 5], cols[n - 4], cols[n - 3]),
                ("yes", "yes", "yes"),
                "{key}: a font not embedded, subset and mapped to Unicode:\n{fonts}"
            );
            assert!(cols[0].chars().nth(6) == Some('+'), "{row}");
        }

        // Rendered for people to look at.
        let png = out.join(key);
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "60", "-singlefile"])
            .arg(&file)
            .arg(&png)
            .status()
            .expect("pdftoppm (poppler-utils)");
        assert!(status.success());
        let png = png.with_extension("png");
        assert!(std::fs::metadata(&png).unwrap().len() > 5_000, "{key}");
    }
    // Nothing was undrawable, so nothing was logged as such.
    assert!(!server.logs().contains("cannot draw"), "{}", server.logs());
}

#[tokio::test]
async fn a_name_the_fonts_cannot_draw_is_kept_and_logged() {
    let courses = TempDir::new();
    write_fixture_course(courses.path(), "course-x");
    let server = TestServer::start_with(ServerOptions {
        courses_dir: Some(courses.path().to_owned()),
        env: vec![("AGORA_JOB_RETRY_SECONDS".into(), "1".into())],
    })
    .await;
    // An Egyptian hieroglyph: no shipped font has it.
    let name = "Ana \u{13000} Peña";
    let l = learner_named(&server, "ana@city.example", name).await;
    complete(&server, &l, "course-x").await;
    let pdf = stored_pdf(&server, &l, name).await;
    let file = artefacts().join("undrawable.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8"], &file, &["-"]);
    // Not transliterated, not dropped: the rest of the name is all there.
    assert!(text.contains("Ana") && text.contains("Peña"), "{text}");
    let conn = server.conn().await;
    let code = certificate::Entity::find()
        .filter(certificate::Column::HolderName.eq(name))
        .one(&conn)
        .await
        .unwrap()
        .unwrap()
        .code;
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("cannot draw"))
        .unwrap_or_else(|| panic!("no warning in:\n{logs}"));
    assert!(
        line.contains(&code) && line.contains("U+13000") && line.contains("holder_name"),
        "{line}"
    );
    assert!(!line.contains("Peña"), "the log names no one: {line}");
}
