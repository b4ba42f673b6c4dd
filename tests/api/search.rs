//! GET /api/search over the two_communes fixture: accent-insensitive, prefix matches first,
//! then boundaries before works, then by name; and over the search_names fixture: groups by
//! kind and number as planners name them, exact names first, numbers in natural order, the
//! street before its lanes, pages.

use crate::helpers::{TestApp, spawn_app};

async fn names(app: &TestApp, query: &str) -> Vec<String> {
    let hits = app.get_json(&format!("/api/search?{query}")).await;
    hits.as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn search_ignores_diacritics_and_case() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    // Names that start with it (roads, then the flower route), then the one that has it inside.
    assert_eq!(
        names(&app, "q=duong").await,
        ["Đường Ngang", "Đường Phố Đông", "Đường Tây", "Đường hoa Tây", "Chiếu sáng Đường Ngang"]
    );
    assert_eq!(names(&app, "q=QU%E1%BB%90C").await, ["Quốc lộ 1A"], "QUỐC in capitals");
    assert_eq!(names(&app, "q=rau%20sach").await, ["Tổ hợp tác rau sạch"]);
}

#[tokio::test]
async fn names_that_start_with_the_text_come_first_then_boundaries_then_works() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    // None starts with "dong": the commune, then the group, then the roads by name.
    assert_eq!(names(&app, "q=dong").await, ["Phường Đông", "Thôn Đông", "Ngõ Đông", "Đường Phố Đông"]);
    assert_eq!(names(&app, "q=dong&limit=2").await, ["Phường Đông", "Thôn Đông"]);
}

#[tokio::test]
async fn a_hit_says_its_layer_id_commune_and_bbox() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    let hits = app.get_json("/api/search?q=thon%20tay").await;

    let hit = &hits[0];
    assert_eq!(hit["layer"], "groups");
    assert_eq!(hit["id"], 1);
    assert_eq!(hit["commune"], "99001");
    assert_eq!(hit["bbox"], serde_json::json!([105.70, 19.20, 105.71, 19.22]));
}

#[tokio::test]
async fn search_stays_in_a_commune_and_takes_wildcards_literally() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    assert!(names(&app, "q=tay&commune=99002").await.is_empty());
    assert_eq!(names(&app, "q=tay&commune=99001").await, ["Thôn Tây", "Đường Tây", "Đường hoa Tây"]);
    assert!(names(&app, "q=%25").await.is_empty(), "a % matches only a %");
    assert!(names(&app, "q=_").await.is_empty());
}

#[tokio::test]
async fn bad_searches_are_4xx() {
    let app = spawn_app().await;
    app.load_fixture("two_communes.sql").await;

    for (path, status) in [
        ("/api/search", 400),
        ("/api/search?q=%20%20", 400),
        ("/api/search?q=a&limit=0", 400),
        ("/api/search?q=a&limit=x", 400),
        ("/api/search?q=a&kind=road", 400),
        ("/api/search?q=a&commune=12345", 404),
        ("/api/search?q=a&offset=-1", 400),
        ("/api/search?q=a&offset=x", 400),
        ("/api/search?q=a&offset=1001", 400),
    ] {
        assert_eq!(app.get(path).await.status().as_u16(), status, "{path}");
    }
}

/// The names of the hits in search_names, for `q` (URL-encoded here).
async fn found(app: &TestApp, q: &str) -> Vec<String> {
    names(app, &format!("q={q}&commune=99101")).await
}

#[tokio::test]
async fn groups_are_found_by_kind_and_number_as_planners_write_them() {
    let app = spawn_app().await;
    app.load_fixture("search_names.sql").await;

    // "TDP 4", "tổ 4", "to 4", "TDP04", "tdp  04", "Tổ dân phố 4": the group first. Names
    // that contain the text come after it (the garden "TDP 4"); "Tổ dân phố 14" and "40" are
    // other numbers, never the group.
    for q in ["TDP%204", "t%E1%BB%95%204", "to%204", "TDP04", "tdp%20%2004", "T%E1%BB%95%20d%C3%A2n%20ph%E1%BB%91%204"]
    {
        let hits = found(&app, q).await;
        assert_eq!(hits.first().map(String::as_str), Some("Tổ dân phố 4"), "{q}: {hits:?}");
        assert!(!hits.iter().skip(1).any(|h| h == "Tổ dân phố 4"), "{q}: once");
    }
    assert_eq!(found(&app, "TDP%204").await, ["Tổ dân phố 4", "Vườn rau sạch TDP 4"]);
    // The kind counts: "khối 3" is the khối, not Thôn 3; "thôn 2" Thôn 2.
    assert_eq!(found(&app, "kh%E1%BB%91i%203").await, ["Khối 3"]);
    assert_eq!(found(&app, "khoi%2003").await, ["Khối 3"]);
    assert_eq!(found(&app, "th%C3%B4n%202").await, ["Thôn 2"]);
    assert_eq!(found(&app, "thon%203").await, ["Thôn 3"]);
    // A number no group has finds none by number.
    assert!(found(&app, "tdp%2099").await.is_empty());
}

#[tokio::test]
async fn exact_names_first_then_names_that_start_with_the_text_in_natural_order() {
    let app = spawn_app().await;
    app.load_fixture("search_names.sql").await;

    // "ngo 1": Ngõ 1 itself, then the names that start with it, numbers by their value.
    assert_eq!(
        found(&app, "ngo%201").await,
        ["Ngõ 1", "Ngõ 1 Nguyễn Tất Thành", "Ngõ 10", "Ngõ 12 Nguyễn Tất Thành", "Ngõ 105"]
    );
    // Every lane: 1, 1 Nguyễn Tất Thành, 3..., 9, 10, 12..., 105 (text order would put 10 and
    // 105 before 9).
    assert_eq!(
        found(&app, "ngo").await,
        [
            "Ngõ 1",
            "Ngõ 1 Nguyễn Tất Thành",
            "Ngõ 3 Nguyễn Tất Thành",
            "Ngõ 9",
            "Ngõ 10",
            "Ngõ 12 Nguyễn Tất Thành",
            "Ngõ 105"
        ]
    );
}

#[tokio::test]
async fn the_street_comes_before_its_lanes() {
    let app = spawn_app().await;
    app.load_fixture("search_names.sql").await;

    assert_eq!(
        found(&app, "nguyen%20tat%20thanh").await,
        ["Đường Nguyễn Tất Thành", "Ngõ 1 Nguyễn Tất Thành", "Ngõ 3 Nguyễn Tất Thành", "Ngõ 12 Nguyễn Tất Thành"]
    );
}

#[tokio::test]
async fn results_come_a_page_at_a_time_in_one_order() {
    let app = spawn_app().await;
    app.load_fixture("search_names.sql").await;

    let all = found(&app, "ngo").await;
    assert_eq!(all.len(), 7);
    let mut pages = Vec::new();
    for offset in [0, 3, 6] {
        let page = names(&app, &format!("q=ngo&commune=99101&limit=3&offset={offset}")).await;
        assert!(page.len() <= 3);
        pages.extend(page);
    }
    assert_eq!(pages, all, "the pages, one after the other, are the whole list");
    assert!(names(&app, "q=ngo&commune=99101&limit=3&offset=7").await.is_empty());
    assert!(names(&app, "q=ngo&commune=99101&offset=1000").await.is_empty());
}
