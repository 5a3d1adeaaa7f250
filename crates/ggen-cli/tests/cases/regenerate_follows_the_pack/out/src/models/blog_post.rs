//! The `BlogPost` entity (BlogPost).

// @ggen:generated-start id=struct pack=entity-models version=0.1.0
/// An article written by a user.
#[derive(Debug, Clone, PartialEq)]
pub struct BlogPost {
    pub id: u64,
    pub title: String,
    pub author_id: u64,
    pub published: bool,
}
// @ggen:generated-end

// @ggen:manual-edit id=impl
impl BlogPost {}
// @ggen:manual-edit-end
