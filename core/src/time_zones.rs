//! People's time zones: the IANA names offered in forms, a guess from a
//! language tag when a person chose none, and instants shown in or read
//! from a zone (storage stays UTC).

use chrono::{NaiveDateTime, TimeZone};
pub use chrono_tz::Tz;
use time::OffsetDateTime;

use crate::{Error, Result};

/// The zones offered in forms: every `Area/Place` name and UTC, sorted.
pub fn names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| {
            n.contains('/')
                && !n.starts_with("Etc/")
                && !n.starts_with("SystemV/")
                && !n.starts_with("US/")
                && n.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        })
        .collect();
    out.push("UTC");
    out.sort_unstable();
    out.dedup();
    out
}

/// The most likely zone for a language tag's region (`es-CO`, `fr-FR`),
/// from the first tag of an `Accept-Language` header; `None` when the
/// region is absent or unknown, and the reader sees UTC.
pub fn guess(accept_language: &str) -> Option<&'static str> {
    for tag in accept_language.split(',') {
        let tag = tag.split(';').next().unwrap_or_default().trim();
        let region = tag.split(['-', '_']).nth(1).unwrap_or_default();
        let zone = match region.to_ascii_uppercase().as_str() {
            "FR" | "BE" | "LU" | "MC" => "Europe/Paris",
            "ES" => "Europe/Madrid",
            "GB" | "UK" | "IE" => "Europe/London",
            "DE" | "AT" | "CH" | "IT" | "NL" => "Europe/Berlin",
            "PT" => "Europe/Lisbon",
            "US" => "America/New_York",
            "CA" => "America/Toronto",
            "MX" => "America/Mexico_City",
            "CO" => "America/Bogota",
            "PE" => "America/Lima",
            "AR" => "America/Argentina/Buenos_Aires",
            "CL" => "America/Santiago",
            "BR" => "America/Sao_Paulo",
            "EC" => "America/Guayaquil",
            "BO" => "America/La_Paz",
            "KE" => "Africa/Nairobi",
            "SN" => "Africa/Dakar",
            "CI" => "Africa/Abidjan",
            "MA" => "Africa/Casablanca",
            "ZA" => "Africa/Johannesburg",
            "NG" => "Africa/Lagos",
            "IN" => "Asia/Kolkata",
            "JP" => "Asia/Tokyo",
            "KR" => "Asia/Seoul",
            "CN" => "Asia/Shanghai",
            "AU" => "Australia/Sydney",
            "NZ" => "Pacific/Auckland",
            _ => continue,
        };
        return Some(zone);
    }
    None
}

/// The zone named, or UTC when it is absent or unknown.
pub fn zone(name: Option<&str>) -> Tz {
    name.and_then(|z| z.parse::<Tz>().ok()).unwrap_or(Tz::UTC)
}

fn chrono_of(t: OffsetDateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(t.unix_timestamp(), 0).unwrap_or_default()
}

/// The offset of `zone` from UTC at `t`: `UTC+05:30`, `UTC−05:00` (with
/// a real minus sign), `UTC+00:00`.
pub fn utc_offset(zone: Tz, t: OffsetDateTime) -> String {
    use chrono::Offset;
    let seconds = chrono_of(t)
        .with_timezone(&zone)
        .offset()
        .fix()
        .local_minus_utc();
    let sign = if seconds < 0 { '\u{2212}' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `2026-12-10 15:00`, in `zone`.
pub fn show(t: OffsetDateTime, zone: Tz) -> String {
    chrono_of(t)
        .with_timezone(&zone)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// `2026-12-10T15:00`, in `zone`: the value of a `datetime-local` input.
pub fn input_value(t: OffsetDateTime, zone: Tz) -> String {
    chrono_of(t)
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Reads a `datetime-local` value (`2026-12-10T15:00`) as a time in `zone`.
/// A wall time that happens twice (clocks going back) is the earlier one; a
/// time that never happens (clocks going forward) is refused.
pub fn read_local(field: &str, s: &str, zone: Tz) -> Result<OffsetDateTime> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| Error::invalid(field, "give a date and time such as 2026-12-10T15:00"))?;
    let local = zone
        .from_local_datetime(&naive)
        .earliest()
        .ok_or_else(|| Error::invalid(field, "this time does not exist in this time zone"))?;
    OffsetDateTime::from_unix_timestamp(local.timestamp())
        .map_err(|_| Error::invalid(field, "this time is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_zone_and_the_date() {
        let winter = OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap(); // 2026-01-01
        let summer = OffsetDateTime::from_unix_timestamp(1_782_864_000).unwrap(); // 2026-07-01
        assert_eq!(
            utc_offset(zone(Some("America/Bogota")), winter),
            "UTC\u{2212}05:00"
        );
        assert_eq!(utc_offset(zone(Some("Asia/Kolkata")), winter), "UTC+05:30");
        assert_eq!(utc_offset(zone(Some("Europe/Paris")), winter), "UTC+01:00");
        assert_eq!(utc_offset(zone(Some("Europe/Paris")), summer), "UTC+02:00");
        assert_eq!(utc_offset(Tz::UTC, summer), "UTC+00:00");
    }

    #[test]
    fn names_are_sorted_real_zones() {
        let n = names();
        assert!(n.contains(&"Europe/Paris") && n.contains(&"America/Bogota"));
        assert!(n.contains(&"UTC"));
        assert!(!n.iter().any(|z| z.starts_with("Etc/")));
        assert!(n.windows(2).all(|w| w[0] < w[1]));
        assert!(n.iter().all(|z| z.parse::<Tz>().is_ok()));
    }

    #[test]
    fn a_region_guesses_its_zone() {
        assert_eq!(guess("es-CO,es;q=0.9"), Some("America/Bogota"));
        assert_eq!(guess("fr-FR"), Some("Europe/Paris"));
        assert_eq!(guess("en"), None);
        assert_eq!(guess("xx-ZZ, en-GB;q=0.5"), Some("Europe/London"));
    }

    #[test]
    fn local_times_round_trip_through_the_zone() {
        let paris = zone(Some("Europe/Paris"));
        let t = read_local("starts_at", "2026-12-10T15:00", paris).unwrap();
        assert_eq!(show(t, Tz::UTC), "2026-12-10 14:00");
        assert_eq!(input_value(t, paris), "2026-12-10T15:00");
        let bogota = zone(Some("America/Bogota"));
        assert_eq!(show(t, bogota), "2026-12-10 09:00");
        assert!(read_local("starts_at", "2026-03-29T02:30", paris).is_err());
        assert!(read_local("starts_at", "tomorrow", paris).is_err());
        assert_eq!(zone(Some("Mars/Olympus")), Tz::UTC);
    }
}
