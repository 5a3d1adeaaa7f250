// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 2 }
// @ggen:generated-end
// footer
