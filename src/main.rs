//! The `plantrack` command: serve the dashboard, or serve the demo.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use plantrack::setup::{self, Seeds};

mod users;

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
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Copy the database to FILE, safely while the server runs (SQLite online backup), and
    /// check the copy (integrity_check) before keeping it.
    Backup {
        /// The backup file to write, e.g. /backup/plantrack-2026-01-31.db.
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Check seed files without touching any database.
    CheckSeeds {
        /// A directory of `*.toml` seed files.
        #[arg(default_value = "seeds")]
        dir: PathBuf,
    },
    /// Propose a plan's seed file from its published text (.txt in UTF-8 or GBK, or .docx):
    /// the header and every quantitative target found, each with its 原文. Review the
    /// proposal before using it: `plantrack propose 规划.txt > seeds/new.toml`, edit, then
    /// `plantrack check-seeds`.
    Propose {
        /// The plan's text: a .txt (UTF-8 or GBK) or .docx file.
        file: PathBuf,
        /// toml: a seed file (passes check-seeds); json: the same structure, for scripts.
        #[arg(long, value_enum, default_value_t = ProposeFormat::Toml)]
        format: ProposeFormat,
        /// The new plan's key. Default: derived from the text's subject and period, e.g.
        /// meteorology-2026-2030.
        #[arg(long, value_parser = parse_slug)]
        key: Option<String>,
        /// Seed files whose metric keys are taken (keys are unique across plans); the
        /// built-in seeds' keys are always taken.
        #[arg(long, env = "PLANTRACK_SEEDS")]
        seeds: Option<PathBuf>,
    },
    /// Fill a database with synthetic plans for load and scale tests (never use on a real database).
    ScaleData {
        /// Synthetic plans to create.
        #[arg(long, default_value_t = 40)]
        plans: usize,
        /// Metrics per plan.
        #[arg(long, default_value_t = 50)]
        metrics: usize,
        /// Quarters of approved figures per metric, from 2021Q1 (at most 20).
        #[arg(long, default_value_t = 20)]
        quarters: usize,
        /// Extra corrections per figure, kept in the history.
        #[arg(long, default_value_t = 1)]
        changes: usize,
        /// Also fill the real seed plan with this many quarters of approved figures.
        #[arg(long, default_value_t = 0, hide = true)]
        fill_quarters: usize,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ProposeFormat {
    Toml,
    Json,
}

fn parse_slug(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("规划代码“{s}”应为小写字母、数字和连字符(不超过 64 个字符)"))
    }
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from the terminal, or from the first line of stdin.
    Add {
        name: String,
        /// admin (管理员), editor (填报员), reviewer (审核人) or viewer (查看者).
        #[arg(long)]
        role: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Set a new password for a user (ends their sessions); read like `add`.
    Passwd {
        name: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Issue an API token for a user and print it (shown only this once).
    Token {
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "命令行签发")]
        label: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Args)]
struct DbArg {
    /// SQLite database file.
    #[arg(long, env = "PLANTRACK_DB", default_value = "plantrack.db")]
    db: PathBuf,
}

/// How long clients may take and how many are served at once (README: Limits).
#[derive(Args)]
struct LimitArgs {
    /// Seconds a client has to send a request's headers; also the longest a kept-alive
    /// connection stays open between requests.
    #[arg(long, env = "PLANTRACK_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    header_timeout_secs: u64,
    /// Close a connection on which nothing is sent or received for this many seconds, even
    /// mid-request (a client that stops reading a response or sending a body).
    #[arg(long, env = "PLANTRACK_IDLE_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    idle_timeout_secs: u64,
    /// Connections served at once; further clients wait until one closes.
    #[arg(long, env = "PLANTRACK_MAX_CONNECTIONS", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_connections: u32,
}

impl From<LimitArgs> for plantrack::web::server::Limits {
    fn from(a: LimitArgs) -> Self {
        Self {
            header_timeout: std::time::Duration::from_secs(a.header_timeout_secs),
            idle_timeout: std::time::Duration::from_secs(a.idle_timeout_secs),
            max_connections: a.max_connections,
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PLANTRACK_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    #[command(flatten)]
    limits: LimitArgs,
    /// SQLite database file (default plantrack.db, or plantrack-demo.db for the demo).
    #[arg(long, env = "PLANTRACK_DB")]
    db: Option<PathBuf>,
    /// Load plans from this directory of seed files instead of the built-in ones.
    #[arg(long, env = "PLANTRACK_SEEDS")]
    seeds: Option<PathBuf>,
    /// Serve the demo database (same as the `demo` command).
    #[arg(long)]
    demo: bool,
    /// Let anonymous visitors read dashboards, charts, reports and the read API.
    #[arg(long, env = "PLANTRACK_PUBLIC_READ")]
    public_read: bool,
    /// The server is behind HTTPS: mark cookies `Secure`.
    #[arg(long, env = "PLANTRACK_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Sign a user out after this many minutes without a request.
    #[arg(long, env = "PLANTRACK_SESSION_IDLE_MINUTES", default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=10080))]
    session_idle_minutes: u32,
    /// Sign a user out this many hours after sign-in, whatever happens.
    #[arg(long, env = "PLANTRACK_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    session_max_hours: u32,
    /// The bureau's time zone (an IANA name): pages show times in it; the API keeps UTC.
    #[arg(long, env = "PLANTRACK_TIMEZONE", default_value = "Asia/Shanghai", value_parser = plantrack::plan::time::parse_zone)]
    timezone: plantrack::plan::time::Tz,
    /// Megabytes of rendered pages kept in memory, compressed (default: 40, or 32 KB for
    /// each plan when there are more than 1,280, at most 512; a 50-metric plan's dashboard
    /// and report take about 27 KB).
    #[arg(long, env = "PLANTRACK_CACHE_MB", value_parser = clap::value_parser!(u32).range(4..=16384))]
    cache_mb: Option<u32>,
    /// Do not render every plan's dashboard and report ahead of visitors after a start
    /// and at each change of day.
    #[arg(long, env = "PLANTRACK_NO_WARM")]
    no_warm: bool,
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
        Command::Backup { file, force, db } => backup(&db.db, &file, force),
        Command::Propose { file, format, key, seeds } => propose(&file, format, key, seeds.as_deref()),
        Command::User(cmd) => users::run(cmd),
        Command::ScaleData { plans, metrics, quarters, changes, fill_quarters, db } => {
            let spec = plantrack::scale::ScaleSpec { plans, metrics, quarters, changes_per_value: changes };
            scale_data(&db.db, &spec, fill_quarters)
        }
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
    if info.demo {
        print_demo_accounts(&setup::demo_accounts(&store)?, info.demo_today());
    }
    let config = plantrack::web::Config {
        public_read: args.public_read,
        secure_cookies: args.secure_cookies,
        session_idle_secs: i64::from(args.session_idle_minutes) * 60,
        session_max_secs: i64::from(args.session_max_hours) * 3600,
        timezone: args.timezone,
        page_budget: args.cache_mb.map(|mb| (mb as usize) << 20),
    };
    let db_store = store.clone();
    let state = plantrack::AppState::new(store, info, config);
    if let Some(code) = state.open_first_start()? {
        print_setup_code(&code, &db);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|source| plantrack::Error::Bind { addr: args.addr, source })?;
        // Before the address is announced, so a stop right after it is a clean one.
        let stop = plantrack::web::server::stop_signal()?;
        tracing::info!("plantrack serving {} on http://{}", db.display(), listener.local_addr()?);
        let warming = (!args.no_warm).then(|| plantrack::web::warm::spawn(state.clone()));
        let app = plantrack::app(state).into_make_service_with_connect_info::<SocketAddr>();
        let served = plantrack::web::server::serve(listener, app, args.limits.into(), stop).await;
        if let Some(w) = warming {
            // Before the checkpoint, which waits for readers: a page being warmed finishes
            // its read, and no other begins.
            w.abort();
            let _ = w.await;
        }
        served?;
        // Last: the .db file alone then holds every write, and the -wal is empty.
        tokio::task::spawn_blocking(move || db_store.checkpoint())
            .await
            .map_err(|e| plantrack::Error::Internal(e.to_string()))??;
        tracing::info!("stopped cleanly: database checkpointed");
        Ok(())
    })
}

/// The first start's setup code, for the one who started the server: it opens the page
/// that creates the first administrator. Printed before the server's address, which
/// scripts and tests wait for as the sign that it is up.
fn print_setup_code(code: &str, db: &std::path::Path) {
    println!("尚无任何用户。用浏览器打开本服务(地址见下方 serving … on 一行),输入以下设置码,创建第一个管理员:");
    println!();
    println!("    设置码 setup code:{code}");
    println!();
    println!("设置码只能用一次,仅本次运行有效,重启会生成新的。也可以在命令行创建:");
    println!("    plantrack user add --role admin 用户名 --db {}", db.display());
    println!(
        "No users yet: open this server in a browser and enter the setup code above to create the first administrator."
    );
    tracing::warn!("no user accounts: the setup page is open until the first administrator is created");
}

/// The demo's accounts, so entry and review can be tried at once. Printed before the
/// server's address, which scripts and tests wait for as the sign that it is up.
fn print_demo_accounts(accounts: &[setup::DemoAccount], today: Option<chrono::NaiveDate>) {
    if let Some(today) = today {
        let due = plantrack::plan::Quarter::containing(today).label_zh();
        println!("示例数据:本示例的“今天”是 {today},应填报{due}。");
    }
    println!("示例数据:未登录即可浏览(只读)。以下示例账户的密码每次启动重新生成:");
    for a in accounts {
        println!("    {}  用户名 {:<14} 密码 {}", a.role.label_zh(), a.name, a.password);
    }
    println!("Demo data: anyone may read without signing in; demo accounts above (new passwords at every start).");
}

fn check_seeds(dir: &std::path::Path) -> plantrack::Result<()> {
    let files = plantrack::store::seed::read_dir(dir)?;
    for plan in plantrack::store::seed::parse_all(&files)? {
        let n: usize = plan.chapters.iter().map(|c| c.metrics.len()).sum();
        println!("{}: {} 章, {n} 个指标", plan.key, plan.chapters.len());
    }
    Ok(())
}

fn propose(
    file: &std::path::Path,
    format: ProposeFormat,
    key: Option<String>,
    seeds: Option<&std::path::Path>,
) -> plantrack::Result<()> {
    use plantrack::Error;
    use plantrack::plan::propose;
    let bytes = std::fs::read(file).map_err(|e| Error::BadRequest(format!("无法读取文件 {}:{e}", file.display())))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = propose::decode_text(&name, &bytes).map_err(|m| Error::BadRequest(format!("{}:{m}", file.display())))?;
    let proposal = propose::propose(&text);
    if proposal.metrics.is_empty() {
        return Err(Error::BadRequest(format!("{}:文中未找到任何量化目标,未生成种子文件", file.display())));
    }
    let mut files = plantrack::store::seed::embedded();
    if let Some(dir) = seeds {
        files.extend(plantrack::store::seed::read_dir(dir)?);
    }
    let plans = plantrack::store::seed::parse_all(&files)?;
    let taken: std::collections::HashSet<String> =
        plans.iter().flat_map(|p| p.chapters.iter().flat_map(|c| c.metrics.iter().map(|m| m.key.clone()))).collect();
    let key = key.unwrap_or_else(|| proposal.default_key());
    let def = proposal.to_plan_def(&key, &|k| taken.contains(k));
    match format {
        ProposeFormat::Toml => print!("{}", plantrack::plan::seed::to_toml(&def)),
        ProposeFormat::Json => println!("{:#}", propose::seed_json(&def)),
    }
    let n: usize = def.chapters.iter().map(|c| c.metrics.len()).sum();
    eprintln!("已从 {} 提出 {} 章 {n} 个指标的建议,请逐条核对原文后再使用。", file.display(), def.chapters.len());
    Ok(())
}

fn backup(db: &std::path::Path, file: &std::path::Path, force: bool) -> plantrack::Result<()> {
    let c = plantrack::store::backup::to_file(db, file, force)?;
    println!(
        "已将 {} 备份到 {}:{} 个规划、{} 个季度数值、{} 条修改记录,共 {} 字节,完整性检查通过。",
        db.display(),
        file.display(),
        c.plans,
        c.figures,
        c.history,
        c.bytes
    );
    Ok(())
}

fn scale_data(db: &std::path::Path, spec: &plantrack::scale::ScaleSpec, fill_quarters: usize) -> plantrack::Result<()> {
    // Checked before anything, even the seed plan, is written to the file.
    plantrack::scale::refuse_real_database(db)?;
    let (store, _) = setup::prepare(db, &Seeds::Embedded, false)?;
    let report = store.with_conn(|c| plantrack::scale::generate(c, spec))?;
    println!("规模测试数据已写入 {}:{report}", db.display());
    if fill_quarters > 0 {
        let filled = store.with_conn(|c| plantrack::scale::fill_existing(c, fill_quarters, spec.changes_per_value))?;
        println!("真实规划已填入 {fill_quarters} 个季度的数值:{filled}");
    }
    Ok(())
}
