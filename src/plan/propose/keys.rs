//! Readable ASCII keys for proposed metrics: the English words of a name's parts
//! (暴雨过程预警准确率 → rainstorm-warning-accuracy), unique across all plans.

/// Words of meteorology plans and their English slugs; longer words first where one
/// contains another (自动气象站 before 气象站).
const WORDS: [(&str, &str); 86] = [
    ("高级工程师", "senior-engineers"),
    ("工程师", "engineers"),
    ("人才", "talent"),
    ("科研项目", "research-projects"),
    ("学历", "degrees"),
    ("职称", "titles"),
    ("X波段", "x-band"),
    ("双偏振", "dual-pol"),
    ("雷达", "radar"),
    ("自动气象站", "aws"),
    ("区域气象站", "regional-stations"),
    ("区域自动站", "aws"),
    ("气象站", "stations"),
    ("观测站", "stations"),
    ("工作站", "workstations"),
    ("炮站", "gun-sites"),
    ("负氧离子", "negative-ions"),
    ("温室气体", "greenhouse-gas"),
    ("便携式", "portable"),
    ("遥感", "remote-sensing"),
    ("垂直", "vertical"),
    ("光纤", "fibre"),
    ("带宽", "bandwidth"),
    ("专线", "line"),
    ("分辨率", "resolution"),
    ("更新", "update"),
    ("频次", "frequency"),
    ("间隔", "interval"),
    ("暴雨", "rainstorm"),
    ("强对流", "convective"),
    ("山洪", "flash-flood"),
    ("地质灾害", "geohazard"),
    ("易涝", "waterlogging"),
    ("洪水", "flood"),
    ("灾种", "hazard-types"),
    ("风险普查", "risk-survey"),
    ("风险", "risk"),
    ("隐患", "hazard"),
    ("敏感单位", "sensitive-units"),
    ("可行性论证", "feasibility"),
    ("园区", "parks"),
    ("水利", "water"),
    ("示范基地", "demo-bases"),
    ("基地", "bases"),
    ("中心", "centre"),
    ("平台", "platform"),
    ("系统", "system"),
    ("档案馆", "archive"),
    ("展厅", "exhibition"),
    ("科普", "science-outreach"),
    ("预警信号", "warning-signals"),
    ("预警", "warning"),
    ("预报", "forecast"),
    ("准确率", "accuracy"),
    ("提前量", "lead-time"),
    ("提前", "lead"),
    ("覆盖率", "coverage"),
    ("覆盖", "coverage"),
    ("全覆盖", "coverage"),
    ("监测率", "detection-rate"),
    ("在线率", "online-rate"),
    ("接收率", "receipt-rate"),
    ("满意度", "satisfaction"),
    ("满意率", "satisfaction"),
    ("优良天数", "good-air-days"),
    ("空气质量", "air-quality"),
    ("观测要素", "observed-elements"),
    ("观测", "observation"),
    ("镇街", "townships"),
    ("村", "villages"),
    ("气候", "climate"),
    ("农业", "agriculture"),
    ("人工影响天气", "weather-modification"),
    ("防雷", "lightning"),
    ("雷电", "lightning"),
    ("公众", "public"),
    ("灾害性天气", "severe-weather"),
    ("天气", "weather"),
    ("气象", "met"),
    ("新建", "new"),
    ("新增", "new"),
    ("升级", "upgraded"),
    ("培养", "trained"),
    ("建成", "built"),
    ("完成", "done"),
    ("配备", "equipped"),
];

/// The slug of a name: its known words in English, in the order they stand, at most four;
/// `None` when none is known.
pub fn slug_of(name: &str) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    let mut rest = name;
    while !rest.is_empty() {
        match WORDS.iter().filter(|(zh, _)| rest.starts_with(zh)).max_by_key(|(zh, _)| zh.len()) {
            Some((zh, en)) => {
                // 新建/培养: the verb says nothing a key needs once a thing is named.
                let verb = matches!(*en, "new" | "upgraded" | "trained" | "built" | "done" | "equipped" | "met");
                if !words.contains(en) && !verb {
                    words.push(en);
                }
                rest = &rest[zh.len()..];
            }
            None => rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..],
        }
    }
    (!words.is_empty()).then(|| {
        let s = words.into_iter().take(4).collect::<Vec<_>>().join("-");
        cut(&s, 48)
    })
}

/// Verbs a name may open with that a key does without (新建5个负氧离子站 → fu-yang-li-zi-zhan).
const OPENING_VERBS: [&str; 10] = ["新建", "新增", "建设", "建成", "升级", "培养", "配备", "完成", "开展", "提前"];

/// The pinyin of a name's first Chinese characters, two syllables to a word:
/// 负氧离子站 → fuyang-lizi-zhan. ASCII letters and digits are kept.
pub fn pinyin_of(name: &str) -> Option<String> {
    use pinyin::ToPinyin;
    let core = OPENING_VERBS.iter().find_map(|v| name.strip_prefix(v)).unwrap_or(name);
    // Words of the key: a pair of syllables, or a run of ASCII letters and digits (X, 5g).
    let mut words: Vec<String> = Vec::new();
    let mut pair: Vec<String> = Vec::new();
    let mut ascii = String::new();
    let mut syllables = 0;
    for c in core.chars() {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
            continue;
        }
        if !ascii.is_empty() {
            words.push(std::mem::take(&mut ascii));
        }
        let Some(p) = c.to_pinyin() else { continue };
        // 绿 is lü: v, as pinyin input methods type it.
        pair.push(p.plain().replace('ü', "v"));
        syllables += 1;
        if pair.len() == 2 {
            words.push(pair.concat());
            pair.clear();
        }
        if syllables >= 8 {
            break;
        }
    }
    if !pair.is_empty() {
        words.push(pair.concat());
    }
    if !ascii.is_empty() {
        words.push(ascii);
    }
    let words: Vec<String> = words
        .into_iter()
        .map(|w| w.chars().filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| cut(&words.join("-"), 48))
}

/// `s` cut to at most `max` bytes at a hyphen, never ending in one.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let at = s[..max].rfind('-').unwrap_or(max);
    s[..at].trim_end_matches('-').to_owned()
}

/// A key for a metric named `name`, free in `taken` and not among `used`: the name's slug,
/// then with the plan's short tag (`-15`), then numbered.
pub fn key_for(name: &str, fallback: &str, plan_key: &str, taken: &dyn Fn(&str) -> bool, used: &[String]) -> String {
    // English where the glossary knows two or more words of the name, else pinyin.
    let english = slug_of(name).filter(|s| s.contains('-'));
    let base = english.or_else(|| pinyin_of(name)).unwrap_or_else(|| fallback.to_owned());
    let free = |k: &str| !taken(k) && !used.iter().any(|u| u == k);
    if free(&base) {
        return base;
    }
    let tag: String = plan_key.rsplit('-').next().unwrap_or("").chars().filter(char::is_ascii_alphanumeric).collect();
    let tagged = cut(&format!("{base}-{tag}"), 60);
    if !tag.is_empty() && free(&tagged) {
        return tagged;
    }
    (2..).map(|n| format!("{}-{n}", cut(&base, 56))).find(|k| free(k)).expect("some number is free")
}

/// A plan key from its title and period: `meteorology-2026-2030`.
pub fn plan_key(title: &str, start: i32, end: i32) -> String {
    let subject = if title.contains("气象") { "meteorology" } else { "plan" };
    format!("{subject}-{start}-{end}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_as_english_words() {
        assert_eq!(slug_of("暴雨过程预警准确率").as_deref(), Some("rainstorm-warning-accuracy"));
        assert_eq!(slug_of("新建X波段双偏振天气雷达").as_deref(), Some("x-band-dual-pol-weather-radar"));
        assert_eq!(slug_of("培养高级工程师").as_deref(), Some("senior-engineers"));
        assert_eq!(slug_of("一二三"), None);
    }

    #[test]
    fn keys_are_unique_across_plans_and_within_one() {
        let taken = |k: &str| k == "senior-engineers";
        let k1 = key_for("培养高级工程师", "m", "meteorology-2026-2030", &taken, &[]);
        assert_eq!(k1, "senior-engineers-2030");
        let k2 = key_for("培养高级工程师", "m", "meteorology-2026-2030", &taken, std::slice::from_ref(&k1));
        assert_eq!(k2, "senior-engineers-2");
        assert_eq!(key_for("", "count-03", "p", &|_| false, &[]), "count-03");
    }

    #[test]
    fn names_the_glossary_does_not_know_read_as_pinyin() {
        assert_eq!(pinyin_of("新建北斗通信传输备份系统").as_deref(), Some("beidou-tongxin-chuanshu-beifen"));
        assert_eq!(pinyin_of("GNSS/MET观测站").as_deref(), Some("gnss-met-guance-zhan"));
        assert_eq!(key_for("负氧离子站", "m", "p", &|_| false, &[]), "negative-ions");
        assert_eq!(pinyin_of("绿色发展").as_deref(), Some("lvse-fazhan"));
        assert_eq!(key_for("雨滴谱仪", "m", "p", &|_| false, &[]), "yudi-puyi");
    }

    #[test]
    fn every_key_is_a_slug() {
        for (zh, _) in WORDS {
            let k = key_for(
                &format!("{zh}{zh}很长很长的名称预警准确率提前量覆盖率满意度"),
                "m-01",
                "x-15",
                &|_| false,
                &[],
            );
            assert!(
                k.len() <= 64 && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{k}"
            );
            assert!(!k.starts_with('-') && !k.ends_with('-'), "{k}");
        }
    }
}
