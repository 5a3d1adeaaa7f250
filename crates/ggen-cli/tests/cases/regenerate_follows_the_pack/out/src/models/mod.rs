//! Every entity of the model, one module each.

// @ggen:generated-start id=modules pack=entity-models version=0.1.0
pub mod blog_post;
pub mod comment;
pub mod user;
pub use blog_post::BlogPost;
pub use comment::Comment;
pub use user::User;
// @ggen:generated-end

/// Names of all entities, sorted.
pub const ENTITIES: &[&str] = &["BlogPost", "Comment", "User"];
