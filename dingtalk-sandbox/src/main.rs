//! `dingtalk-sandbox` server binary (being built: issue 4).

fn main() {}
