//! The `plantrack` command: serve the dashboard, or serve the demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use plantrack::setup::{self, Seeds};

#[derive(Parser)]
#[command(name = "plantrack", version, about = "五年规划量化指标跟踪 / tracks a five-year plan's targets")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the dashboard (creates, migrates and seeds the database on first start).
    Serve(ServeArgs),
    /// Serve a separate database filled with example figures (示例数据).
    Demo(ServeArgs),
    /// Check seed files without touching any database.
    CheckSeeds {
        /// A directory of `*.toml` seed files.
        #[arg(default_value = "seeds")]
        dir: PathBuf,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PLANTRACK_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// SQLite database file (default plantrack.db, or plantrack-demo.db for the demo).
    #[arg(long, env = "PLANTRACK_DB")]
    db: Option<PathBuf>,
    /// Load plans from this directory of seed files instead of the built-in ones.
    #[arg(long, env = "PLANTRACK_SEEDS")]
    seeds: Option<PathBuf>,
    /// Serve the demo database (same as the `demo` command).
    #[arg(long)]
    demo: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("PLANTRACK_LOG").unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            eprintln!("plantrack:命令行参数有误,说明如下(完整用法见 plantrack --help)");
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Demo(args) => serve(ServeArgs { demo: true, ..args }),
        Command::CheckSeeds { dir } => check_seeds(&dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plantrack: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> plantrack::Result<()> {
    let db = args.db.unwrap_or_else(|| if args.demo { "plantrack-demo.db" } else { "plantrack.db" }.into());
    let seeds = args.seeds.map_or(Seeds::Embedded, Seeds::Dir);
    let (store, info) = setup::prepare(&db, &seeds, args.demo)?;
    let state = plantrack::AppState::new(store, info);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| plantrack::Error::BadRequest(format!("无法监听地址 {}:{e}", args.addr)))?;
        tracing::info!("plantrack serving {} on http://{}", db.display(), listener.local_addr()?);
        axum::serve(listener, plantrack::app(state)).with_graceful_shutdown(shutdown()).await?;
        Ok(())
    })
}

fn check_seeds(dir: &std::path::Path) -> plantrack::Result<()> {
    let files = plantrack::store::seed::read_dir(dir)?;
    for plan in plantrack::store::seed::parse_all(&files)? {
        let n: usize = plan.chapters.iter().map(|c| c.metrics.len()).sum();
        println!("{}: {} 章, {n} 个指标", plan.key, plan.chapters.len());
    }
    Ok(())
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}
