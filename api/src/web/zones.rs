//! The time-zone select of forms: some 420 IANA zones, grouped by area
//! (`<optgroup>`) in the reader's language, each place with its offset
//! from UTC today, so a person finds their zone by continent or by clock.

use agora_core::time_zones::{self, Tz};
use serde::Serialize;
use time::OffsetDateTime;

use super::Ctx;

/// One area of the select (`Africa`, `America` …).
#[derive(Serialize)]
pub struct ZoneGroup {
    label: String,
    zones: Vec<ZoneChoice>,
}

#[derive(Serialize)]
pub struct ZoneChoice {
    value: &'static str,
    label: String,
    selected: bool,
}

/// The areas with a name in the catalogues (`tz-area-…`); any other area
/// (the old `Canada/…` links) is shown as IANA names it.
const AREAS: [&str; 11] = [
    "UTC",
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
];

/// Every zone of [`time_zones::names`], grouped, with `selected` chosen.
pub fn zone_groups(ctx: &Ctx, selected: &str) -> Vec<ZoneGroup> {
    let now = OffsetDateTime::now_utc();
    let mut groups: Vec<ZoneGroup> = Vec::new();
    for name in time_zones::names() {
        let (area, place) = name.split_once('/').unwrap_or((name, name));
        let tz: Tz = name.parse().unwrap_or(Tz::UTC);
        let choice = ZoneChoice {
            value: name,
            label: format!(
                "{} ({})",
                place.replace('_', " ").replace('/', " / "),
                time_zones::utc_offset(tz, now)
            ),
            selected: name == selected,
        };
        let label = if AREAS.contains(&area) {
            ctx.t(&format!("tz-area-{}", area.to_lowercase()))
        } else {
            area.to_owned()
        };
        match groups.last_mut() {
            Some(g) if g.label == label => g.zones.push(choice),
            _ => groups.push(ZoneGroup {
                label,
                zones: vec![choice],
            }),
        }
    }
    // UTC first, then the areas in the order of their IANA names.
    groups.sort_by_key(|g| g.zones[0].value != "UTC");
    groups
}
