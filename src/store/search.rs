//! Search by name across every catalogue layer, accent-insensitive (PostgreSQL `unaccent`,
//! trigram-indexed; see the search migration), the way planners name things.
//!
//! - A group is found by its kind and number as planners say it: "TDP 4", "tổ 4", "to 4",
//!   "TDP04", "khối 3", "thôn 2" find "Tổ dân phố 4", "Khối 3", "Thôn 2" (see
//!   [`GroupQuery`]).
//! - Results come best first: the name itself, or the name after its kind ("Nguyễn Tất
//!   Thành" of "Đường Nguyễn Tất Thành": the street before its lanes, "Ngõ 3 Nguyễn Tất
//!   Thành"...); then names that start with the text; then names with a word that starts
//!   with it; then the rest. Within each, boundaries and groups before works, then in
//!   natural order, numbers by their value ("Ngõ 9" before "Ngõ 10"; the `natural_sort_key`
//!   SQL function), then by id: one order, so that a page of results (`offset`) follows the
//!   one before it.

use crate::layers::{LAYERS, Role};
use crate::store::sql::quote_ident;
use serde::Serialize;
use sqlx::PgPool;

/// One search result.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Hit {
    pub layer: String,
    pub id: serde_json::Value,
    pub name: String,
    pub commune: String,
    /// `[west, south, east, north]`, degrees.
    pub bbox: Vec<f64>,
}

/// What the words for a kind of residential group are, accent-free and lower case (the
/// form `search_key` gives), longest first within a kind: "tổ" and "tdp" are how planners
/// name a tổ dân phố, "khu" either kind of khu.
const GROUP_WORDS: &[(&str, &[&str])] = &[
    ("to dan pho", &["to_dan_pho"]),
    ("khu dan cu", &["khu_dan_cu"]),
    ("khu pho", &["khu_pho"]),
    ("tdp", &["to_dan_pho"]),
    ("kdc", &["khu_dan_cu"]),
    ("kp", &["khu_pho"]),
    ("to", &["to_dan_pho"]),
    ("thon", &["thon"]),
    ("khoi", &["khoi"]),
    ("xom", &["xom"]),
    ("ban", &["ban"]),
    ("ap", &["ap"]),
    ("khu", &["khu_pho", "khu_dan_cu"]),
];

/// The kind words a name may start with, accent-free as `search_key` gives them (a regular
/// expression's alternatives, longest first where one starts another): a name without its
/// kind word that is the text searched is as good as the name itself. "nguyen tat thanh"
/// finds "Đường Nguyễn Tất Thành" first; "Ngõ 3 Nguyễn Tất Thành" is a lane of it.
const KIND_WORDS: &str = "phuong|xa|thi tran|to dan pho|khu dan cu|khu pho|thon|khoi|xom|ban|ap|duong|pho|dai lo|quoc lo|tinh lo|ngo|ngach|hem|kiet";

/// A search for a group by kind and number: "tdp 04" -> kinds `[to_dan_pho]`, number `4`.
#[derive(Debug, PartialEq, Eq)]
pub struct GroupQuery {
    pub kinds: Vec<&'static str>,
    /// The number without its leading zeros, as text (it may be longer than any integer).
    pub number: String,
}

impl GroupQuery {
    /// Reads `key` (the text as `search_key` gives it: accent-free, lower case) as a group's
    /// kind and number, if it is one: a kind word, optional spaces, digits, nothing else.
    pub fn parse(key: &str) -> Option<GroupQuery> {
        let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
        GROUP_WORDS.iter().find_map(|(word, kinds)| {
            let digits = key.strip_prefix(word)?.trim_start();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let number = digits.trim_start_matches('0');
            Some(GroupQuery {
                kinds: kinds.to_vec(),
                number: if number.is_empty() { "0".into() } else { number.into() },
            })
        })
    }
}

/// Features whose name contains `text` (ignoring case and diacritics), or groups of the kind
/// and number it names, best first (see the module's doc), `limit` of them after `offset`.
/// `published_only` leaves out communes not published (for visitors who are not signed in).
pub async fn search(
    pool: &PgPool,
    text: &str,
    commune: Option<&str>,
    published_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<Hit>, sqlx::Error> {
    let key: String = sqlx::query_scalar("SELECT search_key($1)").bind(text).fetch_one(pool).await?;
    let group = GroupQuery::parse(&key);
    // LIKE's own wildcards in the user's text are literal characters.
    let pattern = key.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let parts: Vec<String> = LAYERS
        .iter()
        .enumerate()
        .filter(|(_, layer)| layer.field("name").is_some())
        .map(|(rank, layer)| {
            // Groups (the areas with a kind and a code) are also found by kind and number.
            let by_number = if layer.role == Role::Area && layer.field("kind").is_some() && layer.field("code").is_some() {
                "($6::text[] IS NOT NULL AND t.kind = ANY ($6)
                  AND ($7 IN (ltrim(substring(t.name FROM '([0-9]+)\\s*$'), '0'), ltrim(substring(t.code FROM '([0-9]+)$'), '0'))))"
            } else {
                "false"
            };
            format!(
                "SELECT '{id}' AS layer, {rank} AS rank, to_jsonb(t.{key}) AS id, t.name, t.{commune} AS commune,
                        ARRAY[ST_XMin(t.geom), ST_YMin(t.geom), ST_XMax(t.geom), ST_YMax(t.geom)] AS bbox,
                        CASE WHEN k.key = $8 OR k.bare = $8 OR {by_number} THEN 0
                             WHEN k.key LIKE $1 || '%' OR k.bare LIKE $1 || '%' THEN 1
                             WHEN k.key LIKE '% ' || $1 || '%' THEN 2
                             ELSE 3 END AS tier,
                        natural_sort_key(k.key) AS sort_key
                   FROM {table} t,
                        LATERAL (SELECT search_key(t.name) AS key,
                                        regexp_replace(search_key(t.name), '^({KIND_WORDS})\\s+', '') AS bare) k
                  WHERE (search_key(t.name) LIKE '%' || $1 || '%' OR {by_number})
                    AND ($2::text IS NULL OR t.{commune} = $2)
                    AND (NOT $4 OR t.{commune} IN (SELECT code FROM commune WHERE published))",
                id = layer.id,
                key = quote_ident(layer.key),
                commune = quote_ident(layer.commune_column),
                table = quote_ident(layer.table),
            )
        })
        .collect();
    let sql = format!(
        "SELECT layer, id, name, commune, bbox FROM ({}) AS hits
          ORDER BY tier, rank, sort_key COLLATE \"C\", name, id::text LIMIT $3 OFFSET $5",
        parts.join(" UNION ALL ")
    );
    sqlx::query_as(&sql)
        .bind(pattern)
        .bind(commune)
        .bind(limit)
        .bind(published_only)
        .bind(offset)
        .bind(group.as_ref().map(|g| g.kinds.clone()))
        .bind(group.map(|g| g.number))
        .bind(key)
        .fetch_all(pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocab::GROUP_KINDS;

    fn parsed(key: &str) -> Option<(Vec<&'static str>, String)> {
        GroupQuery::parse(key).map(|g| (g.kinds, g.number))
    }

    #[test]
    fn groups_are_read_as_planners_name_them() {
        let tdp4 = Some((vec!["to_dan_pho"], "4".to_string()));
        for key in ["tdp 4", "tdp4", "tdp04", "to 4", "to  04", "to dan pho 4", " tdp 4 "] {
            assert_eq!(parsed(key), tdp4, "{key}");
        }
        assert_eq!(parsed("khoi 3"), Some((vec!["khoi"], "3".to_string())));
        assert_eq!(parsed("thon 2"), Some((vec!["thon"], "2".to_string())));
        assert_eq!(parsed("khu 5"), Some((vec!["khu_pho", "khu_dan_cu"], "5".to_string())));
        assert_eq!(parsed("tdp 000"), Some((vec!["to_dan_pho"], "0".to_string())));
        assert_eq!(parsed("tdp 99999999999999999999"), Some((vec!["to_dan_pho"], "99999999999999999999".to_string())));
        for key in ["tdp", "to", "tdp 4a", "tong 4", "4", "ngo 10", "thon dong", "to 4 5"] {
            assert_eq!(parsed(key), None, "{key}");
        }
    }

    #[test]
    fn every_group_word_names_a_kind_of_the_vocabulary() {
        for (word, kinds) in GROUP_WORDS {
            for kind in *kinds {
                assert!(GROUP_KINDS.iter().any(|t| t.value == *kind), "{word}: {kind}");
            }
        }
        for term in GROUP_KINDS {
            assert!(GROUP_WORDS.iter().any(|(_, kinds)| kinds.contains(&term.value)), "no word for {}", term.value);
        }
    }
}
