//! The books after a fault: every write the load saw acknowledged exists
//! exactly once, and every mail and certificate that the records in the
//! database make due was delivered and stored exactly once.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::PathBuf,
    time::{Duration, Instant},
};

use agora_core::{
    entities::{certificate, course, enrolment, job, lesson, lesson_progress, quiz_attempt, user},
    jobs,
};
use agora_tests::{S3Server, SmtpSink};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::load::{Pair, Tally};

/// Where the certificates' PDFs are stored.
pub(super) enum Pdfs<'a> {
    S3(&'a S3Server),
    /// The data folder's `files/` (no S3 configured).
    Folder(PathBuf),
}

impl Pdfs<'_> {
    fn count(&self) -> usize {
        match self {
            Pdfs::S3(s3) => s3.objects("certificates").len(),
            Pdfs::Folder(files) => std::fs::read_dir(files.join("certificates"))
                .map(|rd| {
                    rd.flatten()
                        .filter(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
                        .count()
                })
                .unwrap_or(0),
        }
    }
}

#[derive(Default, Debug)]
pub(super) struct Books {
    pub lost: u64,
    pub doubled: u64,
    /// Messages the mail server received twice with one `Message-ID`: a
    /// worker killed after the server accepted the message and before it
    /// could record that (see `core/src/mail/delivery.rs`).
    pub resent: u64,
    /// What was lost or doubled, for the failure message.
    pub notes: Vec<String>,
}

impl Books {
    fn lost(&mut self, n: u64, what: String) {
        if n > 0 {
            self.lost += n;
            self.notes.push(format!("lost {n}: {what}"));
        }
    }

    fn doubled(&mut self, n: u64, what: String) {
        if n > 0 {
            self.doubled += n;
            self.notes.push(format!("doubled {n}: {what}"));
        }
    }
}

/// Waits until the queue has run every job that is due, retries included
/// (a dead job will not run again: the books then show what it lost);
/// the jobs still open if that takes longer than `within`.
pub(super) async fn settle(conn: &DatabaseConnection, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let now = jobs::now_ms();
        let open: Vec<job::Model> = job::Entity::find()
            .filter(job::Column::Status.ne(jobs::DONE))
            .all(conn)
            .await
            .expect("read the queue")
            .into_iter()
            .filter(|j| match j.status.as_str() {
                jobs::RUNNING => true,
                jobs::QUEUED => j.attempts > 0 || j.run_at <= now,
                _ => false,
            })
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            let kinds: Vec<_> = open
                .iter()
                .map(|j| (&j.kind, &j.status, j.attempts))
                .collect();
            return Err(format!("jobs still open after {within:?}: {kinds:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Compares what the load saw acknowledged with the database, and what
/// the database makes due with the mail server and the storage.
pub(super) async fn audit(
    conn: &DatabaseConnection,
    tally: &Tally,
    emails: &[String],
    sink: &SmtpSink,
    pdfs: Pdfs<'_>,
) -> Books {
    let mut books = Books::default();
    let rows = Rows::read(conn, emails).await;

    // Enrolments: each acknowledged one exists, and none twice.
    let mut enrolments: BTreeMap<&Pair, u64> = BTreeMap::new();
    for pair in rows.enrolments.values() {
        *enrolments.entry(pair).or_default() += 1;
    }
    for pair in &tally.enrolled {
        if !enrolments.contains_key(pair) {
            books.lost(1, format!("the enrolment of {pair:?}"));
        }
    }
    for (pair, n) in &enrolments {
        books.doubled(n - 1, format!("the enrolment of {pair:?}"));
    }

    // Lesson completions.
    let mut completions: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for p in &rows.progress {
        let (email, slug) = rows.enrolments[&p.enrolment_id].clone();
        let key = (email, slug, rows.lessons[&p.lesson_id].clone());
        *completions.entry(key).or_default() += 1;
    }
    for done in &tally.completed {
        if !completions.contains_key(done) {
            books.lost(1, format!("the completion of {done:?}"));
        }
    }
    for (done, n) in &completions {
        books.doubled(n - 1, format!("the completion of {done:?}"));
    }

    // Quiz attempts: at least those acknowledged, at most those plus the
    // ones whose answer never came.
    let mut attempts: BTreeMap<&Pair, u64> = BTreeMap::new();
    for a in &rows.attempts {
        *attempts
            .entry(&rows.enrolments[&a.enrolment_id])
            .or_default() += 1;
    }
    let pairs: BTreeSet<&Pair> = attempts
        .keys()
        .copied()
        .chain(tally.attempts.keys())
        .collect();
    for pair in pairs {
        let stored = attempts.get(pair).copied().unwrap_or(0);
        let (acked, unknown) = tally.attempts.get(pair).copied().unwrap_or((0, 0));
        books.lost(
            acked.saturating_sub(stored),
            format!("attempts of {pair:?}"),
        );
        books.doubled(
            stored.saturating_sub(acked + unknown),
            format!("attempts of {pair:?} ({acked} acknowledged, {unknown} unanswered)"),
        );
    }

    // Certificates: one per completed enrolment, stored once.
    let mut certificates: HashMap<Uuid, Vec<&certificate::Model>> = HashMap::new();
    for c in &rows.certificates {
        certificates.entry(c.enrolment_id).or_default().push(c);
    }
    for e in rows.completed.iter() {
        let pair = &rows.enrolments[e];
        match certificates.get(e).map(Vec::as_slice).unwrap_or_default() {
            [] => books.lost(1, format!("the certificate of {pair:?}")),
            [c] if c.stored_at.is_none() => {
                books.lost(1, format!("the stored PDF of {pair:?}"));
            }
            [_] => {}
            more => books.doubled(
                more.len() as u64 - 1,
                format!("the certificate of {pair:?}"),
            ),
        }
    }
    let stored = pdfs.count() as u64;
    let issued = rows.certificates.len() as u64;
    books.lost(
        issued.saturating_sub(stored),
        "certificate PDFs in storage".into(),
    );
    books.doubled(
        stored.saturating_sub(issued),
        "certificate PDFs in storage".into(),
    );

    // Mail: a verification per learner, a welcome per enrolment and a
    // congratulation per completed course, each received once.
    let mails = sink.messages();
    for email in emails {
        let enrolled = rows.enrolments.values().filter(|(e, _)| e == email).count();
        let completed = rows
            .completed
            .iter()
            .filter(|id| &rows.enrolments[id].0 == email)
            .count();
        let due = (1 + enrolled + completed) as u64;
        let mine: Vec<&str> = mails
            .iter()
            .filter(|m| m.to.eq_ignore_ascii_case(email))
            .map(|m| m.message_id.as_str())
            .collect();
        let distinct = mine.iter().collect::<BTreeSet<_>>().len() as u64;
        books.lost(due.saturating_sub(distinct), format!("mail to {email}"));
        books.doubled(distinct.saturating_sub(due), format!("mail to {email}"));
        books.resent += mine.len() as u64 - distinct;
    }
    books
}

/// The rows of the load's learners.
struct Rows {
    /// Enrolment id: learner and course.
    enrolments: HashMap<Uuid, Pair>,
    /// Completed enrolments.
    completed: Vec<Uuid>,
    lessons: HashMap<Uuid, String>,
    progress: Vec<lesson_progress::Model>,
    attempts: Vec<quiz_attempt::Model>,
    certificates: Vec<certificate::Model>,
}

impl Rows {
    async fn read(conn: &DatabaseConnection, emails: &[String]) -> Rows {
        let users: HashMap<Uuid, String> = user::Entity::find()
            .filter(user::Column::Email.is_in(emails.iter().cloned()))
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect();
        let courses: HashMap<Uuid, String> = course::Entity::find()
            .all(conn)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.slug))
            .collect();
        let all = enrolment::Entity::find()
            .filter(enrolment::Column::UserId.is_in(users.keys().copied()))
            .all(conn)
            .await
            .unwrap();
        let completed = all
            .iter()
            .filter(|e| e.completed_at.is_some())
            .map(|e| e.id)
            .collect();
        let enrolments: HashMap<Uuid, Pair> = all
            .iter()
            .map(|e| {
                (
                    e.id,
                    (users[&e.user_id].clone(), courses[&e.course_id].clone()),
                )
            })
            .collect();
        let ids: Vec<Uuid> = enrolments.keys().copied().collect();
        Rows {
            completed,
            lessons: lesson::Entity::find()
                .all(conn)
                .await
                .unwrap()
                .into_iter()
                .map(|l| (l.id, l.key))
                .collect(),
            progress: lesson_progress::Entity::find()
                .filter(lesson_progress::Column::EnrolmentId.is_in(ids.clone()))
                .all(conn)
                .await
                .unwrap(),
            attempts: quiz_attempt::Entity::find()
                .filter(quiz_attempt::Column::EnrolmentId.is_in(ids.clone()))
                .all(conn)
                .await
                .unwrap(),
            certificates: certificate::Entity::find()
                .filter(certificate::Column::EnrolmentId.is_in(ids))
                .all(conn)
                .await
                .unwrap(),
            enrolments,
        }
    }
}
