//! Calendar quarters (`2022Q3`), the unit in which figures are reported.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar quarter. Ordered in time, so a `BTreeMap<Quarter, _>` is a time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    q: u8,
}

/// Why a quarter could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("季度格式应为 2022Q3 或 2022年第三季度,收到“{0}”")]
pub struct QuarterParseError(pub String);

impl Quarter {
    /// A quarter, or `None` when `q` is not 1 to 4.
    pub fn new(year: i32, q: u8) -> Option<Self> {
        (1..=4).contains(&q).then_some(Self { year, q })
    }

    /// The quarter that holds `date`.
    pub fn containing(date: NaiveDate) -> Self {
        Self { year: date.year(), q: (date.month0() / 3 + 1) as u8 }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn number(self) -> u8 {
        self.q
    }

    /// First day of the quarter.
    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, u32::from(self.q) * 3 - 2, 1).expect("valid quarter")
    }

    /// Last day of the quarter: the date a reported figure stands for.
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().expect("date in range")
    }

    pub fn next(self) -> Self {
        if self.q == 4 { Self { year: self.year + 1, q: 1 } } else { Self { year: self.year, q: self.q + 1 } }
    }

    pub fn prev(self) -> Self {
        if self.q == 1 { Self { year: self.year - 1, q: 4 } } else { Self { year: self.year, q: self.q - 1 } }
    }

    /// Every quarter from `first` to `last`, both included.
    pub fn range(first: Self, last: Self) -> impl Iterator<Item = Self> {
        std::iter::successors(Some(first), |q| Some(q.next())).take_while(move |q| *q <= last)
    }

    /// The last quarter that has ended on or before `date`.
    pub fn last_closed(date: NaiveDate) -> Self {
        let q = Self::containing(date);
        if q.end() == date { q } else { q.prev() }
    }

    /// The Chinese form, `2022年第三季度`.
    pub fn label_zh(self) -> String {
        const NUM: [&str; 4] = ["一", "二", "三", "四"];
        format!("{}年第{}季度", self.year, NUM[usize::from(self.q) - 1])
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

impl FromStr for Quarter {
    type Err = QuarterParseError;

    /// Reads `2022Q3`, `2022q3`, `2022-Q3` and `2022年第三季度` / `2022年第3季度`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || QuarterParseError(s.to_owned());
        let t = s.trim();
        let (year, rest) = if let Some((y, r)) = t.split_once('年') {
            let r = r.strip_prefix('第').unwrap_or(r);
            let r = r.strip_suffix("季度").ok_or_else(err)?;
            let q = match r {
                "一" | "1" => 1,
                "二" | "2" => 2,
                "三" | "3" => 3,
                "四" | "4" => 4,
                _ => return Err(err()),
            };
            (y, q)
        } else {
            let upper = t.to_ascii_uppercase();
            let (y, r) = upper.split_once('Q').ok_or_else(err)?;
            let y = y.strip_suffix('-').unwrap_or(y).to_owned();
            let q: u8 = r.parse().map_err(|_| err())?;
            let year: i32 = y.parse().map_err(|_| err())?;
            return Self::new(year, q).filter(|_| (1900..=2200).contains(&year)).ok_or_else(err);
        };
        let year: i32 = year.trim().parse().map_err(|_| err())?;
        if !(1900..=2200).contains(&year) {
            return Err(err());
        }
        Self::new(year, rest).ok_or_else(err)
    }
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn parses_both_notations() {
        let q = Quarter::new(2022, 3).unwrap();
        for s in ["2022Q3", "2022q3", " 2022-Q3 ", "2022年第三季度", "2022年第3季度", "2022年三季度"] {
            assert_eq!(s.parse::<Quarter>(), Ok(q), "{s}");
        }
    }

    #[test]
    fn refuses_nonsense() {
        for s in ["", "2022", "2022Q5", "2022Q0", "Q3", "2022年第五季度", "abcdQ1", "99999Q1"] {
            assert!(s.parse::<Quarter>().is_err(), "{s}");
        }
    }

    #[test]
    fn knows_its_dates() {
        let q = Quarter::new(2024, 1).unwrap();
        assert_eq!(q.start(), d(2024, 1, 1));
        assert_eq!(q.end(), d(2024, 3, 31));
        assert_eq!(Quarter::new(2025, 4).unwrap().end(), d(2025, 12, 31));
        assert_eq!(Quarter::containing(d(2023, 6, 30)), Quarter::new(2023, 2).unwrap());
    }

    #[test]
    fn last_closed_quarter_is_the_one_ended_by_the_date() {
        assert_eq!(Quarter::last_closed(d(2023, 6, 30)), Quarter::new(2023, 2).unwrap());
        assert_eq!(Quarter::last_closed(d(2023, 6, 29)), Quarter::new(2023, 1).unwrap());
    }

    #[test]
    fn range_covers_a_five_year_plan() {
        let all: Vec<_> = Quarter::range(Quarter::new(2021, 1).unwrap(), Quarter::new(2025, 4).unwrap()).collect();
        assert_eq!(all.len(), 20);
        assert_eq!(all[4].to_string(), "2022Q1");
        assert_eq!(all[19].prev().next(), all[19]);
    }

    #[test]
    fn chinese_label() {
        assert_eq!(Quarter::new(2024, 3).unwrap().label_zh(), "2024年第三季度");
    }

    mod properties {
        use proptest::prelude::*;

        use super::Quarter;

        /// Text near the two notations: years, `Q`, `-`, 年/第/季度 and the numerals.
        fn near_quarters() -> impl Strategy<Value = String> {
            let year = prop_oneof![(1800..2300i32).prop_map(|y| y.to_string()), "[0-9+\\- ]{0,6}"];
            let mid = prop::sample::select(vec!["Q", "q", "-Q", "-q", " Q", "Q+", "年", "年第", "年 第", "", "QQ"]);
            let n =
                prop::sample::select(vec!["1", "2", "3", "4", "0", "5", "03", "+3", "一", "二", "三", "四", "五", ""]);
            let end = prop::sample::select(vec!["", "季度", " ", "Q", "季度 "]);
            (year, mid, n, end).prop_map(|(y, m, n, e)| format!("{y}{m}{n}{e}"))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn never_panics_and_what_it_reads_writes_back(s in prop_oneof![near_quarters(), any::<String>()]) {
                if let Ok(q) = s.parse::<Quarter>() {
                    prop_assert_eq!(q.to_string().parse::<Quarter>(), Ok(q));
                    prop_assert_eq!(q.label_zh().parse::<Quarter>(), Ok(q));
                    prop_assert!(q.start() <= q.end());
                }
            }

            #[test]
            fn every_quarter_of_the_range_round_trips(year in 1900..=2200i32, n in 1..=4u8) {
                let q = Quarter::new(year, n).unwrap();
                prop_assert_eq!(q.to_string().parse::<Quarter>(), Ok(q));
                prop_assert_eq!(format!("{year}-Q{n}").parse::<Quarter>(), Ok(q));
                prop_assert_eq!(q.label_zh().parse::<Quarter>(), Ok(q));
                prop_assert_eq!(Quarter::containing(q.end()), q);
                prop_assert_eq!(q.next().prev(), q);
            }
        }
    }
}
