//! Times as people read them. The database keeps UTC text (`2026-11-29T07:15:07.570Z`),
//! and the JSON API hands it out as it is, for machines; pages show it in the bureau's
//! time zone, to the minute, as `2026-11-29 15:15`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
pub use chrono_tz::Tz;

/// The zone of the district bureau plantrack was made for (UTC+8, no daylight saving).
pub const BUREAU_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// An IANA zone name such as `Asia/Shanghai`; the error is a sentence in Chinese for the
/// operator who typed it.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| format!("未知时区“{name}”:应为 IANA 时区名(区分大小写),例如 Asia/Shanghai、Asia/Urumqi、UTC"))
}

/// A stored UTC time as shown on a page: `2026-11-29T07:15:07.570Z` → `2026-11-29 15:15`
/// in `zone`. A text that is not such a time (empty, or a row someone wrote by hand) is
/// shown as it is: a page must still render, and the raw text is the most honest thing
/// to show.
pub fn local_time(stored: &str, zone: Tz) -> String {
    match DateTime::parse_from_rfc3339(stored.trim()) {
        // Written field by field: `format` parses its pattern again for every one of a
        // history's hundred rows.
        Ok(t) => {
            let t = t.with_timezone(&zone);
            format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute())
        }
        Err(_) => stored.to_owned(),
    }
}

/// The instant `date` begins in `zone`, written like a stored time, so that stored times
/// compare with it as text (`at >= start`): a filter by date means the bureau's day, the
/// one the page shows, not the UTC one.
pub fn day_start_utc(date: NaiveDate, zone: Tz) -> String {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    let start = match zone.from_local_datetime(&midnight).earliest() {
        Some(t) => t.with_timezone(&Utc),
        // Midnight falls in a clock change's gap (a few zones spring forward at 00:00):
        // the day begins at the change, midnight on the offset in force before it.
        None => utc_at(midnight, zone.offset_from_utc_datetime(&(midnight - Duration::days(1))).fix()),
    };
    // Milliseconds always, so text order is time order against both stored forms
    // (`…07Z` and `…07.570Z`): at the same second `.` sorts before `Z`.
    start.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn utc_at(local: NaiveDateTime, offset: chrono::FixedOffset) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(local - Duration::seconds(i64::from(offset.local_minus_utc()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_stored_utc_time_reads_as_the_bureaus_clock_to_the_minute() {
        assert_eq!(local_time("2026-11-29T07:15:07.570Z", BUREAU_ZONE), "2026-11-29 15:15");
        assert_eq!(local_time("2026-11-29T07:15:07Z", BUREAU_ZONE), "2026-11-29 15:15");
    }

    #[test]
    fn a_late_utc_evening_is_the_next_morning_in_the_bureau() {
        assert_eq!(local_time("2026-12-31T17:30:00Z", BUREAU_ZONE), "2027-01-01 01:30");
    }

    #[test]
    fn another_zone_is_honoured_with_its_daylight_saving() {
        let zone = parse_zone("Europe/Berlin").unwrap();
        assert_eq!(local_time("2026-01-15T12:00:00Z", zone), "2026-01-15 13:00");
        assert_eq!(local_time("2026-07-15T12:00:00Z", zone), "2026-07-15 14:00");
        assert_eq!(local_time("2026-07-15T12:00:00Z", parse_zone("UTC").unwrap()), "2026-07-15 12:00");
    }

    #[test]
    fn a_text_that_is_not_a_time_is_shown_as_it_is() {
        assert_eq!(local_time("", BUREAU_ZONE), "");
        assert_eq!(local_time("昨天", BUREAU_ZONE), "昨天");
    }

    #[test]
    fn a_bad_zone_name_is_refused_in_chinese() {
        let err = parse_zone("Asia/Beijing").unwrap_err();
        assert!(err.contains("未知时区“Asia/Beijing”") && err.contains("Asia/Shanghai"), "{err}");
        assert!(parse_zone("").is_err());
        assert_eq!(parse_zone(" Asia/Shanghai ").unwrap(), BUREAU_ZONE);
    }

    #[test]
    fn the_bureaus_day_starts_at_four_in_the_afternoon_utc_the_day_before() {
        assert_eq!(day_start_utc(date("2026-11-29"), BUREAU_ZONE), "2026-11-28T16:00:00.000Z");
    }

    #[test]
    fn a_day_start_compares_as_text_with_both_stored_forms() {
        let start = day_start_utc(date("2026-11-29"), BUREAU_ZONE);
        assert!("2026-11-28T16:00:00Z" >= start.as_str());
        assert!("2026-11-28T16:00:00.000Z" >= start.as_str());
        assert!("2026-11-28T15:59:59.999Z" < start.as_str());
        assert!("2026-11-28T15:59:59Z" < start.as_str());
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_at_the_clock_change() {
        // Santiago springs forward at 00:00 on 2026-09-06: the day begins at 01:00 (-03).
        let zone = parse_zone("America/Santiago").unwrap();
        assert_eq!(day_start_utc(date("2026-09-06"), zone), "2026-09-06T04:00:00.000Z");
    }
}
