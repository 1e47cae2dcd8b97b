//! [`LetterDraft`] as a stored contract: the store saves it, the web and the CLI read and
//! write it, all as this one type. Drafts saved by every earlier release must still load,
//! so reading is tolerant: a missing key takes its default, a value of the wrong shape
//! (a hand-made or partial draft: `{"corruption": true}`, `"summary": null`, the store's
//! `{"regrouped_from": [..]}`) is read as far as it goes instead of failing the draft.
//! Writing is strict serde, so the `ishenim draft --json` keys stay as they were.

use crate::{Applicant, CategoryResult, Corruption, Lang, LetterDraft, Reason};
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde::Serializer;
use serde_json::Value;

impl Default for Corruption {
    fn default() -> Self {
        Corruption {
            flag: false,
            score: 0.0,
            reasons: Vec::new(),
        }
    }
}

impl Default for CategoryResult {
    fn default() -> Self {
        CategoryResult {
            key: String::new(),
            label: String::new(),
            confidence: 0.0,
            reasons: Vec::new(),
        }
    }
}

impl Default for LetterDraft {
    /// The empty draft: what a stored draft with no keys (a regrouped letter before it is
    /// drafted again) reads as.
    fn default() -> Self {
        LetterDraft {
            pages: Vec::new(),
            lang: None,
            applicant: Applicant::default(),
            address: None,
            phone: None,
            date: None,
            summary: String::new(),
            category: String::new(),
            corruption: Corruption::default(),
            confidence: Default::default(),
            needs_transcription: false,
            category_detail: CategoryResult::default(),
            spans: Default::default(),
            warnings: Vec::new(),
            receipt_code: None,
            transcriptions: Default::default(),
            regrouped_from: Vec::new(),
        }
    }
}

impl LetterDraft {
    /// A draft as the store keeps it (JSON text). Any JSON loads: keys an older release
    /// did not write take their defaults, and JSON that is not an object (never written
    /// by a release) reads as the empty draft. Only text that is not JSON fails.
    pub fn from_stored_json(text: &str) -> Result<LetterDraft, serde_json::Error> {
        let v: Value = serde_json::from_str(text)?;
        Ok(LetterDraft::from_stored(v))
    }

    /// [`LetterDraft::from_stored_json`] of an already parsed value.
    pub fn from_stored(v: Value) -> LetterDraft {
        if v.is_object() {
            serde_json::from_value(v).unwrap_or_default()
        } else {
            LetterDraft::default()
        }
    }

    /// The text a person typed for the page `stem` (a handwritten or unreadable page),
    /// when there is some.
    pub fn transcription(&self, stem: &str) -> Option<&str> {
        self.transcriptions
            .get(stem)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
    }
}

/// A field of a stored draft: its value when it has the expected shape, else the default
/// (`null` where a string was expected reads as the empty string).
pub(crate) fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).unwrap_or_default())
}

/// A draft's language as it has always been written: its code, or `""` for a draft that
/// was never drafted (read back as `None` by [`lenient`]).
pub(crate) fn lang_or_empty<S: Serializer>(lang: &Option<Lang>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(lang.map_or("", Lang::code))
}

/// The corruption part of a stored draft: the object the draft crate writes (each key
/// read on its own, so a hand-made `{"flag": true}` keeps its flag) or a bare flag.
pub(crate) fn corruption<'de, D>(d: D) -> Result<Corruption, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Value::deserialize(d)?;
    Ok(match v {
        Value::Bool(flag) => Corruption {
            flag,
            ..Corruption::default()
        },
        Value::Object(m) => Corruption {
            flag: m.get("flag").and_then(Value::as_bool).unwrap_or(false),
            score: m.get("score").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            reasons: m
                .get("reasons")
                .cloned()
                .and_then(|r| serde_json::from_value::<Vec<Reason>>(r).ok())
                .unwrap_or_default(),
        },
        _ => Corruption::default(),
    })
}

/// The applicant part of a stored draft, each key read on its own (`"name": null` is
/// the anonymous or unknown writer).
pub(crate) fn applicant<'de, D>(d: D) -> Result<Applicant, D::Error>
where
    D: Deserializer<'de>,
{
    let v = Value::deserialize(d)?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Ok(Applicant {
        name: text("name"),
        anonymous: v.get("anonymous").and_then(Value::as_bool).unwrap_or(false),
        co_signers: v
            .get("co_signers")
            .cloned()
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CodeSource;
    use serde_json::json;

    #[test]
    fn partial_and_odd_drafts_load_without_losing_what_they_hold() {
        let d = LetterDraft::from_stored(json!({
            "applicant": {"name": "Асанов Бакыт", "anonymous": false},
            "summary": null,
            "category": "land",
            "corruption": {"flag": true},
            "transcriptions": {"p1": " колго жазылган "},
        }));
        assert_eq!(d.applicant.name.as_deref(), Some("Асанов Бакыт"));
        assert!(d.corruption.flag);
        assert_eq!(d.summary, "");
        assert_eq!(d.category, "land");
        assert_eq!(d.transcription("p1"), Some("колго жазылган"));
        assert_eq!(d.transcription("p2"), None);
        assert!(
            LetterDraft::from_stored(json!({"corruption": true}))
                .corruption
                .flag
        );
        let regrouped = LetterDraft::from_stored(json!({"regrouped_from": [4, 7]}));
        assert_eq!(regrouped.regrouped_from, [4, 7]);
        assert_eq!(
            LetterDraft::from_stored(json!(null)),
            LetterDraft::default()
        );
        assert!(LetterDraft::from_stored_json("{not json").is_err());
    }

    #[test]
    fn the_language_reads_and_writes_as_the_code_it_was_stored_as() {
        for (stored, lang) in [("ky", Some(Lang::Ky)), ("ru", Some(Lang::Ru)), ("", None)] {
            let d = LetterDraft::from_stored(json!({ "lang": stored }));
            assert_eq!(d.lang, lang);
            assert_eq!(serde_json::to_value(&d).expect("json")["lang"], stored);
        }
        // Shapes no release wrote read as no language instead of failing the draft.
        assert_eq!(LetterDraft::from_stored(json!({"lang": 5})).lang, None);
        assert_eq!(LetterDraft::from_stored(json!({"lang": "RU"})).lang, None);
        assert_eq!(LetterDraft::from_stored(json!({})).lang, None);
    }

    #[test]
    fn a_receipt_code_source_reads_and_writes_as_the_string_it_was_stored_as() {
        // As the release before the enum wrote them (the source a plain string).
        for (stored, source) in [("qr", CodeSource::Qr), ("text", CodeSource::Text)] {
            let text = format!(
                r#"{{"receipt_code":{{"code":"ABCD-EFGH-JKMN","confidence":0.75,"source":"{stored}","page":"L001p1","bbox":[10,20,300,60]}}}}"#
            );
            let d = LetterDraft::from_stored_json(&text).expect("loads");
            let code = d.receipt_code.as_ref().expect("receipt code");
            assert_eq!((code.source, code.page.as_str()), (source, "L001p1"));
            let as_stored: Value = serde_json::from_str(&text).expect("json");
            let written = serde_json::to_value(&d).expect("json");
            assert_eq!(written["receipt_code"], as_stored["receipt_code"]);
            assert_eq!(code.source.to_string(), stored);
        }
        // A spelling no release wrote is no code, as any other receipt code of the wrong
        // shape, instead of failing the draft.
        let odd = json!({"receipt_code": {"code": "ABCD-EFGH-JKMN", "confidence": 0.5,
            "source": "QR", "page": "p1", "bbox": [0, 0, 1, 1]}});
        assert_eq!(LetterDraft::from_stored(odd).receipt_code, None);
    }

    #[test]
    fn a_draft_writes_the_keys_of_the_draft_json_contract_only() {
        let v = serde_json::to_value(LetterDraft::default()).expect("json");
        let mut keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "address",
                "applicant",
                "category",
                "category_detail",
                "confidence",
                "corruption",
                "date",
                "lang",
                "needs_transcription",
                "pages",
                "phone",
                "receipt_code",
                "spans",
                "summary",
                "warnings"
            ]
        );
    }
}
