//! The borders of the code, read from the sources (docs/ARCHITECTURE.md, "The house"):
//! SQL only in `src/store/` (and `src/db/`, the pool and migrations), and every `use` going
//! down the layers, never up, so that there are no import cycles between modules.
//!
//! The sources are read as text: comments are dropped, string literals are looked into for
//! SQL, and `crate::x` paths name the module a file depends on. A new top-level module must
//! be given its layer in [`LAYERING`] before this test passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The top-level modules of `src/`, from the bottom of the house up. A module may use
/// modules of LOWER ranks only (and itself).
const LAYERING: &[(&str, u8, &str)] = &[
    ("model", 0, "the domain vocabulary and value rules: pure, used by all"),
    ("auth", 0, "roles, password hashing, tokens: pure"),
    ("spill", 0, "byte buffers that spill to a temporary file: pure"),
    ("spreadsheet", 0, "CSV and XLSX cells: pure"),
    ("db", 0, "the pool, the migrations, kheo's own PostgreSQL cluster"),
    ("layers", 1, "the layer catalogue, built from the model's vocabularies"),
    ("import", 1, "the file readers: bytes in, features out, no database"),
    ("ogc", 1, "OGC API parsing (CQL2, CRS, datetime): pure"),
    ("photos", 2, "photo checks and scaling, for the layers that take photos"),
    ("store", 3, "all the SQL, one file per concern"),
    ("coverage", 4, "the indicator catalogue and the coverage reports, from the store's sums"),
    ("report", 5, "the council report, from the coverage reports"),
    ("pipeline", 5, "jobs of several steps over the store: imports, dumps, the demo and synthetic loads"),
    ("http", 6, "the HTTP API: one router per resource"),
    ("cli", 7, "the command line"),
];

/// The directories (under `src/`) where SQL may be written.
const SQL_HOMES: &[&str] = &["store", "db"];

/// Files outside [`SQL_HOMES`] that may hold SQL, each with the reason. None today.
const SQL_EXCEPTIONS: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src()).unwrap().to_string_lossy().replace('\\', "/");
            out.push((relative, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 50, "the sources were not found under {}", src().display());
    files
}

/// The top-level module a file belongs to (`http/edits.rs` -> `http`, `cli.rs` -> `cli`);
/// `None` for the crate root.
fn module_of(file: &str) -> Option<&str> {
    let first = file.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!["lib", "main"].contains(&name)).then_some(name)
}

/// The production part of a file: unit tests (a `#[cfg(test)]` module, which this code
/// base keeps at the end of a file, or a `tests.rs`) may use anything.
fn production(file: &str, text: &str) -> String {
    if file.ends_with("/tests.rs") {
        return String::new();
    }
    text.split("#[cfg(test)]").next().unwrap_or_default().to_string()
}

/// Splits Rust source into code (comments removed, string literals blanked to `""`) and the
/// string literals' contents. Enough of Rust's lexis for this code base: line and block
/// comments, `"..."` with escapes, raw strings `r#"..."#`, and char literals such as
/// `'"'` (a lifetime `'a` is left as code).
fn lex(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let (mut code, mut literals) = (String::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && starts_token(&chars, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                code.push(c);
                i += 1;
                continue;
            }
            let start = j + 1;
            let mut k = start;
            loop {
                if k >= chars.len() {
                    break;
                }
                if chars[k] == '"' && (1..=hashes).all(|h| chars.get(k + h) == Some(&'#')) {
                    break;
                }
                k += 1;
            }
            literals.push(chars[start..k.min(chars.len())].iter().collect());
            code.push_str("\"\"");
            i = k + 1 + hashes;
        } else if c == '"' {
            let mut literal = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    literal.push(ch);
                }
                i += 1;
            }
            i += 1;
            literals.push(literal);
            code.push_str("\"\"");
        } else if c == '\'' && next.is_some() && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal: '"', '\'', '\n', 'x'.
            let mut j = i + 1;
            if chars[j] == '\\' {
                j += 1;
            }
            j += 1;
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            code.push_str("' '");
            i = j + 1;
        } else {
            code.push(c);
            i += 1;
        }
    }
    (code, literals)
}

/// Whether the `r` at `i` starts a raw string's token: `r"`, or `br"` for bytes, not the
/// end of a name such as `for"`.
fn starts_token(chars: &[char], i: usize) -> bool {
    let before = |n: usize| i.checked_sub(n).and_then(|j| chars.get(j));
    !is_ident(before(1)) || (before(1) == Some(&'b') && !is_ident(before(2)))
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Where a file's text talks to the database: calls of sqlx's query functions, `.sql`
/// files read in, and string literals that are SQL statements.
fn sql_in(text: &str) -> Vec<String> {
    let (code, literals) = lex(text);
    let mut found = Vec::new();
    let calls =
        ["sqlx::query", "sqlx::raw_sql", "query_scalar(", "query_as(", "query_with(", "query_scalar::<", "query_as::<"];
    if let Some(call) = calls.iter().find(|call| code.contains(**call)) {
        found.push(format!("calls `{call}`"));
    }
    for literal in &literals {
        if literal.ends_with(".sql") {
            found.push(format!("reads the SQL file `{literal}`"));
        } else if let Some(statement) = sql_statement(literal) {
            found.push(format!("has the SQL `{statement}`"));
        }
    }
    found
}

/// The start of an SQL statement in `literal`, if it holds one (kheo writes SQL's keywords
/// in capitals, and no other text does).
fn sql_statement(literal: &str) -> Option<String> {
    let words: Vec<&str> =
        literal.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    let sql = has("SELECT")
        || pair("INSERT", "INTO")
        || pair("DELETE", "FROM")
        || (has("UPDATE") && has("SET"))
        || pair("SET", "LOCAL")
        || pair("SET", "TRANSACTION")
        || pair("CREATE", "TABLE")
        || pair("CREATE", "DATABASE")
        || pair("ALTER", "TABLE")
        || pair("DROP", "TABLE")
        || has("ANALYZE")
        || has("TRUNCATE");
    sql.then(|| literal.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(60).collect())
}

/// The top-level modules a file's code names (`crate::store::edit`, `use crate::{layers,
/// model::vocab}`), other than its own.
fn modules_used(text: &str, own: &str) -> Vec<String> {
    let (code, _) = lex(text);
    let mut used = Vec::new();
    let mut rest = code.as_str();
    while let Some((head, tail)) = rest.split_once("crate::") {
        let before = head.chars().next_back();
        rest = tail;
        if is_ident(before.as_ref()) {
            continue; // `kheo_crate::`, not a path of this crate
        }
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c}`: the first name of each item, at the group's own depth.
            let mut depth = 0;
            let mut item_start = true;
            let mut name = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => name.push(c),
                    c if item_start && !c.is_whitespace() => {
                        if !name.is_empty() {
                            used.push(std::mem::take(&mut name));
                        }
                        item_start = false;
                    }
                    c if item_start && c.is_whitespace() && !name.is_empty() => {
                        used.push(std::mem::take(&mut name));
                        item_start = false;
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                used.push(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            used.push(name);
        }
    }
    used.retain(|m| !m.is_empty() && m != own && m != "self");
    used.sort();
    used.dedup();
    used
}

#[test]
fn sql_lives_only_in_the_store() {
    let mut offenders = Vec::new();
    for (file, text) in sources() {
        if SQL_HOMES.iter().any(|home| file.starts_with(&format!("{home}/"))) {
            continue;
        }
        if SQL_EXCEPTIONS.iter().any(|(allowed, _)| *allowed == file) {
            continue;
        }
        for finding in sql_in(&production(&file, &text)) {
            offenders.push(format!("src/{file} {finding}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL outside src/store/ (move it into a function of the store module of its concern, \
         long SQL in a .sql file):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_module_imports_one_above_it() {
    let ranks: BTreeMap<&str, u8> = LAYERING.iter().map(|(m, rank, _)| (*m, *rank)).collect();
    let mut offenders = Vec::new();
    for (file, text) in sources() {
        let Some(own) = module_of(&file) else { continue };
        let Some(&own_rank) = ranks.get(own) else {
            offenders.push(format!("src/{file}: module `{own}` has no layer in LAYERING (tests/api/architecture.rs)"));
            continue;
        };
        for used in modules_used(&production(&file, &text), own) {
            match ranks.get(used.as_str()) {
                Some(&rank) if rank < own_rank => {}
                Some(&rank) => offenders.push(format!(
                    "src/{file}: `{own}` (layer {own_rank}) uses `crate::{used}` (layer {rank}), which is not below it"
                )),
                None => offenders.push(format!("src/{file}: uses `crate::{used}`, which has no layer in LAYERING")),
            }
        }
    }
    assert!(offenders.is_empty(), "arrows that go up or sideways:\n{}", offenders.join("\n"));
}

/// The files of one directory that a file's code names through `super::` (`use
/// super::input::Fault`, `super::{text, Sink}`), other than itself and `mod.rs`.
fn siblings_used(code: &str, own: &str, siblings: &BTreeSet<String>) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut rest = code;
    while let Some((_, tail)) = rest.split_once("super::") {
        rest = tail;
        let names: Vec<&str> = match tail.strip_prefix('{') {
            Some(group) => group.split('}').next().unwrap_or_default().split(',').collect(),
            None => vec![tail],
        };
        for name in names {
            let name: String = name.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if name != own && siblings.contains(&name) {
                used.insert(name);
            }
        }
    }
    used
}

/// A cycle in `arrows`, if there is one, as the files along it.
fn a_cycle(arrows: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        arrows: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in arrows.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, arrows, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    arrows.keys().find_map(|node| visit(node, arrows, &mut Vec::new(), &mut done))
}

/// Inside a module too, the files form layers: `import/text.rs` may use `import/input.rs`
/// but then not the other way round, so that each file can be read knowing only those below.
#[test]
fn no_files_of_a_module_use_each_other_in_a_circle() {
    let mut by_directory: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (file, text) in sources() {
        if let Some((directory, name)) = file.rsplit_once('/') {
            let name = name.trim_end_matches(".rs").to_string();
            by_directory.entry(directory.to_string()).or_default().push((name, production(&file, &text)));
        }
    }
    let mut cycles = Vec::new();
    for (directory, files) in &by_directory {
        let siblings: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).filter(|n| n != "mod").collect();
        let arrows: BTreeMap<String, BTreeSet<String>> = files
            .iter()
            .filter(|(name, _)| name != "mod")
            .map(|(name, code)| (name.clone(), siblings_used(&lex(code).0, name, &siblings)))
            .collect();
        if let Some(cycle) = a_cycle(&arrows) {
            cycles.push(format!("src/{directory}: {}", cycle.join(" -> ")));
        }
    }
    assert!(cycles.is_empty(), "files that use each other in a circle:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_sees_a_circle_of_three_and_passes_a_chain() {
    let siblings: BTreeSet<String> = ["input", "text", "utf8"].map(String::from).into();
    let arrows = |pairs: &[(&str, &str)]| {
        let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, code) in pairs {
            arrows.insert(from.to_string(), siblings_used(code, from, &siblings));
        }
        arrows
    };
    let chain = arrows(&[
        ("text", "use super::input::Fault;\nuse super::utf8::Utf8Checked;"),
        ("utf8", "use super::input::Fault; use super::{NotUtf8, ReadError};"),
        ("input", "use super::ReadError;"),
    ]);
    assert_eq!(a_cycle(&chain), None);
    let circle = arrows(&[
        ("text", "use super::utf8::Utf8Checked;"),
        ("utf8", "use super::{input::Fault, NotUtf8};"),
        ("input", "super::text::looks_like_windows_1258(chunk)"),
    ]);
    assert_eq!(a_cycle(&circle).map(|c| c.join(" -> ")).as_deref(), Some("input -> text -> utf8 -> input"));
}

#[test]
fn every_module_has_a_layer_and_the_doc_names_them() {
    let mut modules: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|m| !["lib", "main"].contains(&m.as_str()))
        .collect();
    modules.sort();
    modules.dedup();
    let mut layered: Vec<String> = LAYERING.iter().map(|(m, _, _)| m.to_string()).collect();
    layered.sort();
    assert_eq!(modules, layered, "the modules of src/ and those of LAYERING differ");

    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ARCHITECTURE.md")).unwrap();
    assert!(doc.contains("tests/api/architecture.rs"), "docs/ARCHITECTURE.md names this test's file");
    for test in ["sql_lives_only_in_the_store", "no_module_imports_one_above_it"] {
        assert!(doc.contains(test), "docs/ARCHITECTURE.md names the test `{test}`");
    }
    for (module, _, _) in LAYERING {
        let named = doc.contains(&format!("src/{module}/")) || doc.contains(&format!("src/{module}.rs"));
        assert!(named, "docs/ARCHITECTURE.md places src/{module} in the house");
    }
}

/// The checks themselves: they see SQL written in a handler in each way kheo writes it,
/// and an arrow up, and let comments, UI words and plain paths pass.
#[test]
fn the_checks_catch_what_they_are_for() {
    let handler = r##"
        //! `DELETE /api/things/{id}` and `SELECT`ing in a comment are fine.
        use super::AppContext;
        async fn health(State(ctx): State<AppContext>) -> Response {
            let label = "Select a layer"; // not SQL: not in capitals
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM road").fetch_one(&ctx.pool).await?;
        }
    "##;
    let found = sql_in(handler);
    assert!(found.iter().any(|f| f.contains("sqlx::query")), "{found:?}");
    assert!(found.iter().any(|f| f.contains("SELECT count(*) FROM road")), "{found:?}");
    assert_eq!(found.len(), 2, "only the query, not the comment or the label: {found:?}");

    let built = r###"let sql = format!(r#"DELETE FROM {} WHERE "x" = $1"#, t); run(&sql);"###;
    assert_eq!(sql_in(built).len(), 1, "a raw string built with format! is SQL too");
    assert_eq!(sql_in(r#"let q = include_str!("delete.sql");"#).len(), 1, "so is a .sql file read in");
    assert!(sql_in(r#"let quote = '"'; let s = "\"UPDATE\" is a word";"#).is_empty(), "no statement here");

    let store =
        "use crate::http::error::ApiError;\nuse crate::{layers::Layer, model};\nfn f() { crate::coverage::x(); }";
    assert_eq!(modules_used(store, "store"), ["coverage", "http", "layers", "model"]);
    assert_eq!(modules_used("use kheo_crate::x; // crate::http", "store"), Vec::<String>::new());
}
