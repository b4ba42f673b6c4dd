//! The domain vocabulary: pure Rust, no I/O. The layer catalogue (`crate::layers`) is built
//! from these lists, and the schema's CHECK constraints mirror them.

pub mod coverage;
pub mod field;
pub mod limits;
pub mod values;
pub mod vocab;

pub use vocab::Term;
