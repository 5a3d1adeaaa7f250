//! The `Comment` entity (Comment).

// @ggen:generated-start id=struct pack=entity-models version=0.1.0
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub id: u64,
}
// @ggen:generated-end

// @ggen:manual-edit id=impl
impl Comment {}
// @ggen:manual-edit-end
