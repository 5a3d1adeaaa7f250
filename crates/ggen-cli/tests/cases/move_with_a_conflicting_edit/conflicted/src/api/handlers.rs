// demo handlers
<<<<<<< current
fn a() -> u8 { 100 }
||||||| base
fn a() {}
=======
fn a() -> u8 { 1 }
>>>>>>> app@2.0.0
fn b() {}
fn c() {}
fn d() {}
fn e() {}
fn f() {}
fn h() {}
