//! The email templates render in every locale, and each has its three parts.

use super::*;

fn samples() -> (
    VerifyEmail,
    AccountExists,
    PasswordReset,
    Enrolled,
    Completed,
    Reminder,
) {
    (
        VerifyEmail {
            name: "Ana <b>".into(),
            link: "https://a.example/verify-email?token=t&x=1".into(),
            hours: 48,
        },
        AccountExists {
            name: "Ana".into(),
            sign_in_link: "https://a.example/sign-in".into(),
            reset_link: "https://a.example/forgot-password".into(),
        },
        PasswordReset {
            name: "Ana".into(),
            link: "https://a.example/reset-password?token=t".into(),
            minutes: 60,
        },
        Enrolled {
            name: "Ana".into(),
            course_title: "Localizing the SDGs".into(),
            course_summary: "Summary".into(),
            modules: count(Locale::En, 1, Noun::Module),
            lessons: count(Locale::En, 9, Noun::Lesson),
            duration: "2 h 30 min".into(),
            first_lesson_title: "Why local".into(),
            first_lesson_link: "https://a.example/courses/x/lessons/y".into(),
            course_link: "https://a.example/courses/x".into(),
        },
        Completed {
            name: "Ana".into(),
            course_title: "Localizing the SDGs".into(),
            hours: "2.5 hours".into(),
            certificate_link: "https://a.example/certificates/ABCDE".into(),
            code: "ABCDE".into(),
        },
        Reminder {
            name: "Ana".into(),
            course_title: "Localizing the SDGs".into(),
            days: 7,
            percent: 40,
            continue_link: "https://a.example/courses/x/lessons/y".into(),
            unsubscribe_link: "https://a.example/unsubscribe?token=u".into(),
        },
    )
}

#[test]
fn every_message_renders_in_every_locale() {
    let (a, b, c, d, e, f) = samples();
    for locale in Locale::ALL {
        let all = [
            render(locale, &a).unwrap(),
            render(locale, &b).unwrap(),
            render(locale, &c).unwrap(),
            render(locale, &d).unwrap(),
            render(locale, &e).unwrap(),
            render(locale, &f).unwrap(),
        ];
        for m in &all {
            assert!(!m.subject.is_empty() && !m.subject.contains('\n'));
            assert!(m.html.contains(&format!("lang=\"{}\"", locale.as_str())));
            assert!(!m.text.contains("{{") && !m.html.contains("{{"));
        }
        // Links appear whole in the text part and escaped in the HTML part.
        assert!(
            all[0]
                .text
                .contains("https://a.example/verify-email?token=t&x=1")
        );
        assert!(all[0].html.contains("&amp;x") && !all[0].html.contains("t&x"));
        // A name is never HTML in the HTML part.
        assert!(all[0].html.contains("Ana &lt;b&gt;"));
        assert!(
            all[5]
                .text
                .contains("https://a.example/unsubscribe?token=u")
        );
    }
    assert!(render(Locale::Fr, &d).unwrap().subject.contains("inscrit"));
    assert!(render(Locale::Es, &d).unwrap().subject.contains("inscrito"));
}

#[test]
fn every_template_has_the_three_parts() {
    for (locale, name, source) in SOURCES {
        split(source).unwrap_or_else(|e| panic!("{locale}/{name} {e}"));
    }
    // Every template exists in every locale.
    let names = |locale: &str| {
        SOURCES
            .iter()
            .filter(|(l, _, _)| *l == locale)
            .map(|(_, n, _)| *n)
            .collect::<std::collections::BTreeSet<_>>()
    };
    // Every mail the code sends has a template, and no template is orphaned.
    let sent: std::collections::BTreeSet<&str> = [
        VerifyEmail::NAME,
        AccountExists::NAME,
        PasswordReset::NAME,
        Enrolled::NAME,
        Completed::NAME,
        Reminder::NAME,
        OrganisationInvitation::NAME,
        CohortDecision::NAME,
        SessionReminderEmail::NAME,
        CohortAnnouncement::NAME,
        CohortCertificateEmail::NAME,
        PracticeContact::NAME,
        PracticeReveal::NAME,
        DiscussionActivity::NAME,
        DiscussionDigest::NAME,
    ]
    .into();
    assert_eq!(names("en"), sent);
    for locale in ["fr", "es"] {
        assert_eq!(names(locale), names("en"), "{locale} lacks a template");
    }
}

#[test]
fn durations_read_naturally() {
    assert_eq!(count(Locale::En, 1, Noun::Module), "1 module");
    assert_eq!(count(Locale::Fr, 3, Noun::Lesson), "3 leçons");
    assert_eq!(count(Locale::Es, 1, Noun::Lesson), "1 lección");
    assert_eq!(format_duration(Locale::En, 45), "45 min");
    assert_eq!(format_duration(Locale::Fr, 150), "2 h 30 min");
    assert_eq!(format_duration(Locale::Es, 120), "2 h");
    assert_eq!(format_hours(Locale::En, 150), "2.5 hours");
    assert_eq!(format_hours(Locale::Fr, 90), "1,5 heure");
    assert_eq!(format_hours(Locale::Fr, 180), "3 heures");
    assert_eq!(format_hours(Locale::Es, 60), "1 hora");
    assert_eq!(format_hours(Locale::Es, 30), "0,5 horas");
}

#[test]
fn the_cohort_certificate_mail_names_the_cohort_in_every_locale() {
    let m = CohortCertificateEmail {
        name: "Ana".into(),
        cohort: "VLR <2027>".into(),
        course_title: "Preparing a VLR".into(),
        certificate_link: "https://a.example/certificates/ABCDE".into(),
        code: "ABCDE".into(),
    };
    for locale in Locale::ALL {
        let r = render(locale, &m).unwrap();
        assert!(r.subject.contains("VLR <2027>"), "{}", r.subject);
        assert!(r.text.contains("https://a.example/certificates/ABCDE"));
        assert!(r.html.contains("VLR &lt;2027&gt;"));
    }
    assert!(render(Locale::Es, &m).unwrap().subject.contains("cohorte"));
    assert!(render(Locale::Fr, &m).unwrap().subject.contains("cohorte"));
}

#[test]
fn discussion_mail_renders_in_every_locale() {
    for (locale, thread, digest) in [
        (
            Locale::En,
            "New thread in",
            "Your daily discussion digest: 2 threads",
        ),
        (
            Locale::Fr,
            "Nouveau fil dans",
            "Votre résumé quotidien des discussions : 2 fils",
        ),
        (
            Locale::Es,
            "Nuevo hilo en",
            "Su resumen diario de los debates: 2 hilos",
        ),
    ] {
        let r = render(
            locale,
            &DiscussionActivity {
                name: "Ana".into(),
                actor: "Li <b>".into(),
                space: "Learning cities".into(),
                thread_title: "Census".into(),
                mention: false,
                reply: false,
                answer: false,
                thread: true,
                excerpt: "Which <census>?".into(),
                link: "https://a.example/discussions/x/threads/1".into(),
                settings_link: "https://a.example/account/discussion-mail".into(),
                unsubscribe_link: "https://a.example/unsubscribe/discussions?token=u".into(),
            },
        )
        .unwrap();
        assert!(r.subject.starts_with(thread), "{}", r.subject);
        assert!(r.text.contains("Which <census>?"), "{}", r.text);
        assert!(r.html.contains("Which &lt;census&gt;?"), "{}", r.html);
        assert!(r.html.contains("Li &lt;b&gt;"), "{}", r.html);
        let d = render(
            locale,
            &DiscussionDigest {
                name: "Ana".into(),
                daily: true,
                count: 2,
                spaces: vec![DigestSpace {
                    title: "Learning cities".into(),
                    threads: vec![
                        DigestThread {
                            title: "Census".into(),
                            link: "https://a.example/t/1".into(),
                            new: true,
                            replies: 3,
                            mentioned: false,
                            answered: false,
                        },
                        DigestThread {
                            title: "Budget".into(),
                            link: "https://a.example/t/2".into(),
                            new: false,
                            replies: 1,
                            mentioned: true,
                            answered: true,
                        },
                    ],
                }],
                settings_link: "https://a.example/account/discussion-mail".into(),
                unsubscribe_link: "https://a.example/unsubscribe/discussions?token=u".into(),
            },
        )
        .unwrap();
        assert_eq!(d.subject, digest);
        for part in ["Census", "https://a.example/t/2", "token=u", "3"] {
            assert!(d.text.contains(part), "{locale:?}: {part} in {}", d.text);
        }
    }
}
