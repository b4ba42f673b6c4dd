//! The document's links: which answer leads to which operation, and with what values
//! (OpenAPI 3.1 "Link Object"). A client reads from them that the feature `POST` creates is
//! read, changed and deleted at `/api/layers/{layer}/features/{id}` with the `id` of its
//! body and the `ETag` of its answer as `If-Match`; schemathesis follows them in its
//! stateful phase (tests/api/schemathesis.rs). Written here once, as a table, rather than
//! in each handler's annotation, so that a reader sees the whole graph.

use super::operations;
use utoipa::openapi::{self as oa, RefOr};

/// One link: from the answer `status` of the operation `from` to the operation `to`.
pub struct Link {
    pub from: &'static str,
    pub status: &'static str,
    pub to: &'static str,
    /// Each parameter of `to` (qualified by its place when it is not in the path, as
    /// `header.If-Match`) with a runtime expression that gives its value.
    pub parameters: &'static [(&'static str, &'static str)],
    pub description: &'static str,
}

const LAYER: (&str, &str) = ("layer", "$request.path.layer");
const CREATED_ID: (&str, &str) = ("id", "$response.body#/id");
const SAME_ID: (&str, &str) = ("id", "$request.path.id");
const VERSION: (&str, &str) = ("header.If-Match", "$response.header.ETag");

/// Every link of the document.
pub const LINKS: &[Link] = &[
    Link {
        from: "create",
        status: "201",
        to: "one",
        parameters: &[LAYER, CREATED_ID],
        description: "The feature created",
    },
    Link {
        from: "create",
        status: "201",
        to: "patch_feature",
        parameters: &[LAYER, CREATED_ID, VERSION],
        description: "Change some properties of the feature created, at the version created",
    },
    Link {
        from: "create",
        status: "201",
        to: "replace",
        parameters: &[LAYER, CREATED_ID, VERSION],
        description: "Replace the feature created, at the version created",
    },
    Link {
        from: "create",
        status: "201",
        to: "delete_feature",
        parameters: &[LAYER, CREATED_ID, VERSION],
        description: "Delete the feature created",
    },
    Link { from: "create", status: "201", to: "history", parameters: &[LAYER, CREATED_ID], description: "Its history" },
    Link {
        from: "create",
        status: "201",
        to: "upload_photo",
        parameters: &[LAYER, CREATED_ID],
        description: "Add a photo to the feature created",
    },
    Link {
        from: "one",
        status: "200",
        to: "patch_feature",
        parameters: &[LAYER, SAME_ID, VERSION],
        description: "Change some properties of this version",
    },
    Link {
        from: "one",
        status: "200",
        to: "replace",
        parameters: &[LAYER, SAME_ID, VERSION],
        description: "Replace this version",
    },
    Link {
        from: "one",
        status: "200",
        to: "delete_feature",
        parameters: &[LAYER, SAME_ID, VERSION],
        description: "Delete this version",
    },
    Link {
        from: "one",
        status: "200",
        to: "list_feature_photos",
        parameters: &[LAYER, SAME_ID],
        description: "Its photos",
    },
    Link {
        from: "patch_feature",
        status: "200",
        to: "delete_feature",
        parameters: &[LAYER, SAME_ID, VERSION],
        description: "Delete the version just saved",
    },
    Link {
        from: "replace",
        status: "200",
        to: "delete_feature",
        parameters: &[LAYER, SAME_ID, VERSION],
        description: "Delete the version just saved",
    },
    Link {
        from: "upload_photo",
        status: "201",
        to: "image",
        parameters: &[CREATED_ID],
        description: "The photo stored",
    },
    Link {
        from: "upload_photo",
        status: "201",
        to: "thumbnail",
        parameters: &[CREATED_ID],
        description: "Its thumbnail",
    },
    Link {
        from: "upload_photo",
        status: "201",
        to: "change_photo_caption",
        parameters: &[CREATED_ID],
        description: "Change its caption",
    },
    Link {
        from: "upload_photo",
        status: "201",
        to: "delete_photo",
        parameters: &[CREATED_ID],
        description: "Delete it",
    },
];

/// Adds [`LINKS`] to the answers of `api`'s operations; a link whose operation or answer
/// is not in the document is left out (tests/api/openapi.rs checks that none is).
pub fn add(api: &mut oa::OpenApi) {
    for (_, item) in api.paths.paths.iter_mut() {
        for (_, operation) in operations(item) {
            let Some(id) = operation.operation_id.clone() else { continue };
            for link in LINKS.iter().filter(|l| l.from == id) {
                let Some(RefOr::T(response)) = operation.responses.responses.get_mut(link.status) else { continue };
                // utoipa 5.5 writes `LinkBuilder::operation_id` as `"operation_id"`, not OpenAPI's
                // `"operationId"`, which no client would read: the field is written through the
                // Link's extensions (flattened into it) instead.
                let spelt = oa::extensions::Extensions::from_iter([("operationId", link.to)]);
                let mut builder = oa::link::LinkBuilder::new().extensions(Some(spelt)).description(link.description);
                for (name, expression) in link.parameters {
                    builder = builder.parameter(*name, *expression);
                }
                response.links.insert(link.to.to_string(), RefOr::T(builder.build()));
            }
        }
    }
}
