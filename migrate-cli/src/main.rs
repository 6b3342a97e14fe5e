//! Thin entry point: everything lives in the library's `run`.

/// generate allocates many small syntax-tree nodes; mimalloc serves them faster than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    migrate_cli::run(std::env::args_os())
}
