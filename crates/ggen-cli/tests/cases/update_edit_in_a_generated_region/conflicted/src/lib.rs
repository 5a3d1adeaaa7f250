// header kept as generated
// @ggen:generated-start id=api
<<<<<<< current
pub fn version() -> u32 { 100 }
||||||| base
pub fn version() -> u32 { 1 }
=======
pub fn version() -> u32 { 2 }
pub fn added_in_v2() {}
>>>>>>> app@2.0.0
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
// footer
