//! A Rust binary that does nothing: the bench's spawn baseline (process
//! start of a Rust program with std, without any of Tandem's work).

fn main() {}
