//! Wire helpers shared by endpoints: the legacy `result` envelope and lenient number/string ids.

use dingtalk_core::endpoint::decode_json;
use dingtalk_core::{DeptId, Error};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serializer};

/// Decodes a legacy body `{"errcode":0,"result":{…}}` into its `result` (a missing `result` is `null`).
pub(crate) fn legacy_result<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    #[derive(Deserialize)]
    struct Envelope<T> {
        result: T,
    }
    let value: serde_json::Value = decode_json(body)?;
    let result = match value {
        serde_json::Value::Object(mut map) => map.remove("result").unwrap_or(serde_json::Value::Null),
        _ => serde_json::Value::Null,
    };
    let wrapped = serde_json::json!({ "result": result });
    serde_json::from_value::<Envelope<T>>(wrapped)
        .map(|e| e.result)
        .map_err(|e| {
            Error::new(dingtalk_core::ErrorKind::Decode)
                .with_source(dingtalk_core::error::Message(format!("{e} in the result")))
        })
}

/// A number or a numeric string, as text.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Int(i64),
    Text(String),
}

impl NumberOrString {
    fn text(self) -> String {
        match self {
            NumberOrString::Int(n) => n.to_string(),
            NumberOrString::Text(s) => s,
        }
    }
}

/// Department ids: int64 on the wire, text in [`DeptId`].
pub(crate) mod dept_id {
    use super::{DeptId, Deserialize, Deserializer, NumberOrString, Serializer};

    pub(crate) fn serialize<S: Serializer>(id: &DeptId, serializer: S) -> Result<S::Ok, S::Error> {
        match id.as_str().parse::<i64>() {
            Ok(n) => serializer.serialize_i64(n),
            Err(_) => serializer.serialize_str(id.as_str()),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DeptId, D::Error> {
        NumberOrString::deserialize(deserializer).map(|v| DeptId::new(v.text()))
    }
}

/// Optional department ids.
pub(crate) mod opt_dept_id {
    use super::{DeptId, Deserialize, Deserializer, NumberOrString, Serializer};

    #[expect(clippy::ref_option, reason = "serde's serialize_with passes &Option<T>")]
    pub(crate) fn serialize<S: Serializer>(id: &Option<DeptId>, serializer: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => super::dept_id::serialize(id, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DeptId>, D::Error> {
        Option::<NumberOrString>::deserialize(deserializer).map(|v| v.map(|v| DeptId::new(v.text())))
    }
}

/// Lists of department ids.
pub(crate) mod dept_ids {
    use super::{DeptId, Deserialize, Deserializer, NumberOrString};

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<DeptId>, D::Error> {
        Option::<Vec<NumberOrString>>::deserialize(deserializer).map(|v| {
            v.unwrap_or_default()
                .into_iter()
                .map(|v| DeptId::new(v.text()))
                .collect()
        })
    }
}

/// A boolean sent as `true`, `"true"`, `1` or `"1"`.
pub(crate) mod lenient_bool {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Int(i64),
        Text(String),
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
        Ok(
            Option::<Raw>::deserialize(deserializer)?.and_then(|raw| match raw {
                Raw::Bool(b) => Some(b),
                Raw::Int(n) => Some(n != 0),
                Raw::Text(t) => match t.as_str() {
                    "true" | "1" => Some(true),
                    "false" | "0" => Some(false),
                    _ => None,
                },
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Ids {
        #[serde(with = "dept_id")]
        one: DeptId,
        #[serde(default, deserialize_with = "dept_ids::deserialize")]
        many: Vec<DeptId>,
        #[serde(default, deserialize_with = "lenient_bool::deserialize")]
        flag: Option<bool>,
    }

    #[test]
    fn ids_and_flags_are_lenient() {
        let ids: Ids = serde_json::from_str(r#"{"one": 1, "many": [2, "3"], "flag": "true"}"#).unwrap();
        assert_eq!(ids.one.as_str(), "1");
        assert_eq!(
            ids.many.iter().map(DeptId::as_str).collect::<Vec<_>>(),
            ["2", "3"]
        );
        assert_eq!(ids.flag, Some(true));
        let value: u32 = legacy_result(br#"{"errcode":0,"result":7}"#).unwrap();
        assert_eq!(value, 7);
        assert!(legacy_result::<u32>(br#"{"errcode":0}"#).is_err());
    }
}
