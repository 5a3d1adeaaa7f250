// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 1 }
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
// footer
