//! What the certificate says in each locale, and how it writes dates.

use time::{Date, Month};

use crate::domain::Locale;

pub struct Words {
    pub heading: &'static str,
    pub certifies: &'static str,
    pub completed: &'static str,
    pub completed_cohort: &'static str,
    pub on: &'static str,
    pub study: &'static str,
    pub issued_by: &'static str,
    pub verify: &'static str,
    pub code: &'static str,
}

pub fn words(locale: Locale) -> Words {
    match locale {
        Locale::En => Words {
            heading: "Certificate of Completion",
            certifies: "This certifies that",
            completed: "has successfully completed the self-paced course",
            completed_cohort: "has successfully completed the facilitated cohort",
            on: "Completed on",
            study: "of study",
            issued_by: "Issued by",
            verify: "Verify this certificate at",
            code: "Verification code",
        },
        Locale::Fr => Words {
            heading: "Certificat de réussite",
            certifies: "Nous certifions que",
            completed: "a suivi avec succès le cours en autonomie",
            completed_cohort: "a suivi avec succès la cohorte accompagnée",
            on: "Terminé le",
            study: "d’étude",
            issued_by: "Délivré par",
            verify: "Vérifier ce certificat sur",
            code: "Code de vérification",
        },
        Locale::Es => Words {
            heading: "Certificado de finalización",
            certifies: "Se certifica que",
            completed: "ha completado con éxito el curso autoguiado",
            completed_cohort: "ha completado con éxito la cohorte facilitada",
            on: "Completado el",
            study: "de estudio",
            issued_by: "Expedido por",
            verify: "Verifique este certificado en",
            code: "Código de verificación",
        },
    }
}

/// "30 November 2026", "30 novembre 2026", "30 de noviembre de 2026".
pub fn format_date(locale: Locale, d: Date) -> String {
    let i = d.month() as usize - 1;
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let _: Month = d.month();
    match locale {
        Locale::En => format!("{} {} {}", d.day(), EN[i], d.year()),
        Locale::Fr if d.day() == 1 => format!("1er {} {}", FR[i], d.year()),
        Locale::Fr => format!("{} {} {}", d.day(), FR[i], d.year()),
        Locale::Es => format!("{} de {} de {}", d.day(), ES[i], d.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let d = Date::from_calendar_date(2026, Month::November, 1).unwrap();
        assert_eq!(format_date(Locale::En, d), "1 November 2026");
        assert_eq!(format_date(Locale::Fr, d), "1er novembre 2026");
        assert_eq!(format_date(Locale::Es, d), "1 de noviembre de 2026");
    }
}
