//! The command line. Every flag is also an environment variable (`KHEO_*`, and
//! `DATABASE_URL`), so that a service manager can configure kheo without arguments.

use crate::db::Database;
use crate::db::cluster::{Cluster, Durability};
use crate::http::{AppContext, Policy, WebSettings};
use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "kheo",
    version,
    about = "Maps and coverage of campaign and infrastructure works in Vietnamese communes"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// PostgreSQL + PostGIS database to use. When unset, kheo runs its own cluster under
    /// `<home>/pg`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Folder for kheo's own files (the managed cluster).
    #[arg(long, env = "KHEO_HOME", default_value = ".kheo", global = true)]
    pub home: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the map page.
    Serve(ServeArgs),
    /// Load the demo commune (idempotent), or make a synthetic dataset.
    Demo(DemoArgs),
    /// Manage the database.
    #[command(subcommand)]
    Db(DbCommand),
    /// Derived coverage data.
    #[command(subcommand)]
    Coverage(CoverageCommand),
    /// Accounts that sign in to edit.
    #[command(subcommand)]
    User(UserCommand),
    /// Which communes visitors who are not signed in see.
    #[command(subcommand)]
    Commune(CommuneCommand),
    /// Regions: named sets of communes (districts, clusters; provinces come from the communes).
    #[command(subcommand)]
    Region(RegionCommand),
    /// Print SQL that kheo runs, for benchmarks and debugging.
    #[command(subcommand, hide = true)]
    Sql(SqlCommand),
    /// Import a file (GeoJSON, KML, KMZ, GPX, zipped Shapefile, CSV) into a layer of a
    /// commune, or restore a commune dump made by `kheo export`. Prints the report as JSON;
    /// exits with 1 when a feature has an error (and then nothing is written).
    Import(ImportArgs),
    /// Write a commune's dump (a zip: its layers as GeoJSON and its settings), which
    /// `kheo import DUMP.zip` restores.
    Export {
        /// The commune (statistics code).
        #[arg(long)]
        commune: String,
        /// The zip to write; `<code>.kheo.zip` when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on start).
    #[arg(long, env = "KHEO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Connections in the database pool.
    #[arg(long, env = "KHEO_MAX_CONNECTIONS", default_value_t = 16)]
    pub max_connections: u32,
    /// Optional online raster basemap, a URL template such as
    /// `https://tile.openstreetmap.org/{z}/{x}/{y}.png`. Off by default: the page works offline.
    #[arg(long, env = "KHEO_BASEMAP_TILES")]
    pub basemap_tiles: Option<String>,
    /// Attribution shown for the basemap.
    #[arg(long, env = "KHEO_BASEMAP_ATTRIBUTION")]
    pub basemap_attribution: Option<String>,
    /// Commune the page opens on (statistics code); the first one when unset.
    #[arg(long, env = "KHEO_DEFAULT_COMMUNE")]
    pub default_commune: Option<String>,
    /// Coverage answers kept in memory, by ETag (0 turns the cache off).
    #[arg(long, env = "KHEO_CACHE_ENTRIES", default_value_t = crate::http::DEFAULT_CACHE_ENTRIES)]
    pub cache_entries: usize,
    /// Whether visitors who are not signed in may read the maps and numbers.
    #[arg(long, env = "KHEO_ANONYMOUS_READ", default_value_t = true, action = clap::ArgAction::Set)]
    pub anonymous_read: bool,
    /// Mark the session cookie `Secure` (when kheo is served over HTTPS, e.g. behind a proxy).
    #[arg(long, env = "KHEO_SECURE_COOKIES", default_value_t = false, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,
    /// Where coordinates of written and imported features may lie: `west,south,east,north`
    /// in degrees. Default: Vietnam with its islands.
    #[arg(long, env = "KHEO_EXTENT", value_parser = parse_extent, default_value = "102,6,118,24")]
    pub extent: [f64; 4],
    /// The largest upload or request body, in MiB (larger ones get 413). What one import
    /// may unpack to, its features and vertices are in proportion to it.
    #[arg(long, env = "KHEO_MAX_UPLOAD_MB", default_value_t = 50)]
    pub max_upload_mb: usize,
    /// Imports running at once; more get 503 with Retry-After, before their upload is read.
    #[arg(long, env = "KHEO_MAX_IMPORTS", default_value_t = crate::http::DEFAULT_MAX_IMPORTS as u64,
          value_parser = clap::value_parser!(u64).range(1..=64))]
    pub max_imports: u64,
    /// Behind a reverse proxy: the client's address is the last entry of X-Forwarded-For
    /// (used to limit sign-in attempts per address). Only set it when a proxy adds that header.
    #[arg(long, env = "KHEO_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,
    /// Seconds a connection may take to send a request's head, and stay idle between
    /// requests, before it is closed.
    #[arg(long, env = "KHEO_HEADER_TIMEOUT_S", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_s: u64,
    /// Client connections served at once (more get 503); kept below the open-file limit.
    #[arg(long, env = "KHEO_MAX_CLIENT_CONNECTIONS", default_value_t = crate::http::DEFAULT_MAX_CLIENT_CONNECTIONS)]
    pub max_client_connections: usize,
    /// Seconds a response may take from its request to its last byte; a slower download is cut.
    #[arg(long, env = "KHEO_STREAM_TIMEOUT_S", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub stream_timeout_s: u64,
    /// Layer streams and downloads one client address may have open at once (more get 429).
    #[arg(long, env = "KHEO_MAX_STREAMS_PER_CLIENT", default_value_t = crate::http::DEFAULT_MAX_STREAMS_PER_CLIENT)]
    pub max_streams_per_client: usize,
    /// Who may show the page in a frame: CSP frame-ancestors sources, e.g.
    /// `https://portal.example.vn`; `'none'` forbids every frame.
    #[arg(long, env = "KHEO_FRAME_ANCESTORS", default_value = "'none'", value_parser = parse_frame_ancestors)]
    pub frame_ancestors: String,
    /// The largest photo file accepted, in MiB (larger ones get 413).
    #[arg(long, env = "KHEO_MAX_PHOTO_MB", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub max_photo_mb: u16,
    /// How many photos are decoded at once (each may take some 250 MB); uploads beyond get
    /// 503 with Retry-After.
    #[arg(long, env = "KHEO_PHOTO_DECODES", default_value_t = crate::http::photos::DEFAULT_PHOTO_DECODES,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub photo_decodes: u16,
}

/// CSP source expressions separated by spaces: no `;` or `,` (which would end the
/// directive), nothing outside printable ASCII.
fn parse_frame_ancestors(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic() || c == ' ') || value.contains([';', ',']) {
        return Err("must be CSP sources separated by spaces, such as 'self' https://portal.example.vn".into());
    }
    Ok(value.to_string())
}

/// `w,s,e,n` in degrees, west < east and south < north.
fn parse_extent(value: &str) -> Result<[f64; 4], String> {
    let numbers: Vec<f64> =
        value.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    match numbers[..] {
        [w, s, e, n]
            if w < e
                && s < n
                && (-180.0..=180.0).contains(&w)
                && (-180.0..=180.0).contains(&e)
                && (-90.0..=90.0).contains(&s)
                && (-90.0..=90.0).contains(&n) =>
        {
            Ok([w, s, e, n])
        }
        _ => Err("must be west,south,east,north in degrees, west < east, south < north".into()),
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Load `<layer>.geojson` files from this folder instead of the embedded demo commune.
    #[arg(long)]
    pub from: Option<PathBuf>,
    /// Make a synthetic dataset instead: `province`.
    #[arg(long, value_parser = ["province"])]
    pub synthetic: Option<String>,
    /// Communes in the synthetic province (20 groups and 1,000 road segments each).
    #[arg(long, default_value_t = 500)]
    pub communes: i64,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create and start the managed cluster (idempotent) and migrate.
    Up,
    /// Stop the managed cluster.
    Down,
    /// Say where the database is and whether it runs.
    Status,
    /// Apply pending migrations.
    Migrate,
    /// Open psql on the database.
    Psql,
}

#[derive(Debug, Subcommand)]
pub enum CoverageCommand {
    /// Recompute the derived coverage data (after a bulk import, or to repair).
    Rebuild {
        /// Only this commune (repeatable); all communes when absent.
        #[arg(long)]
        commune: Vec<String>,
        /// Communes rebuilt at the same time; the number of CPUs when absent.
        #[arg(long)]
        jobs: Option<usize>,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// The layer to import into (roads, flower_routes, lighting_lines, model_sites, groups);
    /// not for a dump.
    #[arg(long)]
    pub layer: Option<String>,
    /// The commune's code; not for a dump.
    #[arg(long)]
    pub commune: Option<String>,
    /// The file's coordinate system when it does not say, or says wrong: EPSG:N.
    #[arg(long)]
    pub crs: Option<String>,
    /// Source attribute to layer field, as JSON: '{"Mat_duong": "surface"}'.
    #[arg(long)]
    pub mapping: Option<String>,
    /// Values for fields the file does not give, as JSON: '{"class": "alley", "surface": "earth"}'.
    #[arg(long)]
    pub defaults: Option<String>,
    /// Text encoding of a CSV or GeoJSON that is not UTF-8, e.g. windows-1258.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Check everything and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Repair invalid geometries with PostGIS instead of refusing them.
    #[arg(long)]
    pub repair: bool,
    /// Where coordinates may lie, `west,south,east,north` in degrees (as for `serve`).
    #[arg(long, env = "KHEO_EXTENT", value_parser = parse_extent, default_value = "102,6,118,24")]
    pub extent: [f64; 4],
    /// The name the audit log gives for this import.
    #[arg(long, env = "KHEO_ACTOR", default_value = "cli")]
    pub actor: String,
    /// For communes: the province of those the file does not give one.
    #[arg(long, hide = true)]
    pub province: Option<String>,
}

#[derive(Debug, Args)]
pub struct CommuneImportArgs {
    /// A boundary file: GeoJSON, KML/KMZ, zipped Shapefile or CSV with WKT.
    pub file: PathBuf,
    /// The province of the communes the file does not give one, e.g. "Nghệ An".
    #[arg(long)]
    pub province: Option<String>,
    /// The file's coordinate system when it does not say, or says wrong: EPSG:N.
    #[arg(long)]
    pub crs: Option<String>,
    /// Source attribute to commune field (code, name, kind, province), as JSON:
    /// '{"ma_xa": "code", "ten_xa": "name"}'.
    #[arg(long)]
    pub mapping: Option<String>,
    /// Values for fields the file does not give, as JSON: '{"kind": "xa"}' (the kind is
    /// otherwise read from the name: Xã, Phường, Đặc khu).
    #[arg(long)]
    pub defaults: Option<String>,
    /// Text encoding of a CSV or GeoJSON that is not UTF-8, e.g. windows-1258.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Check everything and report, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Repair invalid boundaries with PostGIS instead of refusing them.
    #[arg(long)]
    pub repair: bool,
    /// Where coordinates may lie, `west,south,east,north` in degrees.
    #[arg(long, env = "KHEO_EXTENT", value_parser = parse_extent, default_value = "102,6,118,24")]
    pub extent: [f64; 4],
    /// The name the audit log gives for this import.
    #[arg(long, env = "KHEO_ACTOR", default_value = "cli")]
    pub actor: String,
}

#[derive(Debug, Subcommand)]
pub enum CommuneCommand {
    /// Show the commune to everyone (the default for a new commune).
    Publish { code: String },
    /// Hide the commune from visitors who are not signed in (editors and admins still see it).
    Unpublish { code: String },
    /// List the communes and whether each is published.
    List,
    /// Load or update communes from an official boundary file, all or nothing: by code,
    /// checked for duplicate codes, missing names, invalid shapes and overlaps (over 1 % of
    /// the smaller commune refused, slivers accepted with a warning). A second run changes
    /// nothing.
    Import(CommuneImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum RegionCommand {
    /// Create a region, or replace the name, kind and communes of an existing one.
    Add {
        /// Lower-case letters, digits, `-` and `_`, e.g. `hoang-mai-cu`.
        code: String,
        /// The name reports and the page show, e.g. `Huyện Hoàng Mai (cũ)`.
        #[arg(long)]
        name: String,
        /// `district` for a district or town, former ones included (kept for historical
        /// reports); `cluster` for any other set; `province` when a province is made by hand.
        #[arg(long, value_parser = ["province", "district", "cluster"])]
        kind: String,
        /// The communes' codes, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        communes: Vec<String>,
    },
    /// Create or replace the regions of a CSV file with the columns
    /// `region,name,kind,commune` (one row per commune of a region), all or nothing.
    Load { file: PathBuf },
    /// List the regions, provinces included, with their communes.
    List,
    /// Remove a region made by hand (its communes stay).
    Remove { code: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account, or replace the role, communes and password of an existing one. The
    /// password comes from `KHEO_PASSWORD`, else from the first line of standard input.
    Add {
        username: String,
        #[arg(long, value_parser = ["admin", "editor"])]
        role: String,
        /// A commune the editor writes in (repeatable); ignored for admins.
        #[arg(long)]
        commune: Vec<String>,
        /// The name shown in the page and the history, e.g. "Nguyễn Thị Lan".
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// Set a new password (same sources as `add`) and end the account's sessions.
    Passwd { username: String },
    /// List the accounts with their roles and communes.
    List,
    /// Remove an account and end its sessions (the history keeps its name).
    Remove { username: String },
}

#[derive(Debug, Subcommand)]
pub enum SqlCommand {
    /// The query that builds a layer's whole FeatureCollection in PostGIS (the benchmark's
    /// baseline).
    Collection { layer: String },
    /// The query that builds one vector tile of a layer (unfiltered), as `/tiles/` runs it.
    Tile {
        layer: String,
        z: u8,
        x: u32,
        y: u32,
        /// Without the generalisation below the detail zoom (no simplification, tiny
        /// features kept): for measuring what it buys.
        #[arg(long)]
        full: bool,
    },
}

pub async fn run(cli: Cli) -> Result<()> {
    let database = Database::from_settings(cli.global.database_url.clone(), &cli.global.home);
    match cli.command {
        Command::Serve(args) => serve(&database, args).await,
        Command::Demo(args) => demo(&database, args).await,
        Command::Db(command) => db(&database, command).await,
        Command::Coverage(CoverageCommand::Rebuild { commune, jobs }) => {
            let jobs = jobs.unwrap_or_else(default_jobs);
            let pool = crate::db::open(database.connect_options().await?, jobs as u32 + 1).await?;
            let communes = if commune.is_empty() { None } else { Some(commune) };
            let started = std::time::Instant::now();
            let count = crate::store::coverage::rebuild(&pool, communes, jobs).await?;
            println!("coverage rebuilt for {count} communes in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::User(command) => user(&database, command).await,
        Command::Commune(command) => commune(&database, command).await,
        Command::Region(command) => region(&database, command).await,
        Command::Import(args) => import(&database, args).await,
        Command::Export { commune, out } => {
            let pool = crate::db::open(database.connect_options().await?, 2).await?;
            let out = out.unwrap_or_else(|| PathBuf::from(format!("{commune}.kheo.zip")));
            // Straight to the file: with its photos, a dump can be larger than memory likes.
            let file = std::fs::File::create(&out).with_context(|| format!("writing {}", out.display()))?;
            let written =
                crate::pipeline::dump::export_commune_to(&pool, &commune, std::io::BufWriter::new(file)).await;
            let file = match written {
                Ok(writer) => writer.into_inner().map_err(|e| e.into_error())?,
                Err(error) => {
                    std::fs::remove_file(&out).ok();
                    return Err(error);
                }
            };
            file.sync_all().with_context(|| format!("writing {}", out.display()))?;
            let bytes = file.metadata()?.len();
            println!("commune {commune}: {bytes} bytes written to {}", out.display());
            Ok(())
        }
        Command::Sql(SqlCommand::Collection { layer }) => {
            let layer = crate::layers::find(&layer).with_context(|| format!("unknown layer {layer}"))?;
            println!("{}", crate::store::features::collection_query(layer));
            Ok(())
        }
        Command::Sql(SqlCommand::Tile { layer, z, x, y, full }) => {
            let layer = crate::layers::find(&layer).with_context(|| format!("unknown layer {layer}"))?;
            let tile = crate::store::tiles::TileId { z, x, y };
            println!("{};", crate::store::tiles::tile_sql_text(layer, tile, !full));
            Ok(())
        }
    }
}

async fn serve(database: &Database, args: ServeArgs) -> Result<()> {
    let pool = crate::db::open(database.connect_options().await?, args.max_connections).await?;
    let listener =
        tokio::net::TcpListener::bind(&args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    // On stdout, for people and for scripts that started us on port 0.
    println!("kheo: listening on http://{address}");
    std::io::stdout().flush()?;
    let web = WebSettings {
        basemap_tiles: args.basemap_tiles,
        basemap_attribution: args.basemap_attribution,
        default_commune: args.default_commune,
    };
    let policy = Policy {
        anonymous_read: args.anonymous_read,
        secure_cookies: args.secure_cookies,
        extent: args.extent,
        max_upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        max_imports: args.max_imports as usize,
        trust_proxy: args.trust_proxy,
        header_timeout: Duration::from_secs(args.header_timeout_s),
        max_client_connections: args.max_client_connections,
        stream_timeout: Duration::from_secs(args.stream_timeout_s),
        max_streams_per_client: args.max_streams_per_client,
        frame_ancestors: args.frame_ancestors,
    };
    let photos =
        crate::http::PhotoGate::new(usize::from(args.max_photo_mb) * 1024 * 1024, usize::from(args.photo_decodes));
    // Communes changed while no server ran (a load, a restore) get their coverage steps now,
    // not on their first region request.
    let refresh = pool.clone();
    tokio::spawn(async move {
        match crate::store::coverage::refresh_all_steps(&refresh).await {
            Ok(0) => {}
            Ok(count) => tracing::info!(communes = count, "coverage steps brought up to date"),
            Err(error) => tracing::warn!(%error, "coverage steps not brought up to date; region requests will"),
        }
    });
    let ctx = AppContext::new(pool, web).with_policy(policy).with_cache_entries(args.cache_entries).with_photos(photos);
    crate::http::serve(listener, ctx).await?;
    Ok(())
}

async fn demo(database: &Database, args: DemoArgs) -> Result<()> {
    let pool = crate::db::open(database.connect_options().await?, 4).await?;
    if args.synthetic.is_some() {
        if !(1..=10_000).contains(&args.communes) {
            bail!("--communes must be between 1 and 10000");
        }
        let started = std::time::Instant::now();
        let made = crate::pipeline::synthetic::province(&pool, args.communes).await?;
        println!(
            "synthetic province: {} communes, {} groups, {} roads, {} lighting lines, {} model sites in {:.1} s",
            made.communes,
            made.groups,
            made.roads,
            made.lighting_lines,
            made.model_sites,
            started.elapsed().as_secs_f64()
        );
        let started = std::time::Instant::now();
        let jobs = default_jobs();
        let pool = crate::db::open(database.connect_options().await?, jobs as u32 + 1).await?;
        let codes = crate::pipeline::synthetic::codes(&pool).await?;
        let count = crate::store::coverage::rebuild(&pool, Some(codes), jobs).await?;
        println!("coverage rebuilt for {count} communes in {:.1} s", started.elapsed().as_secs_f64());
        return Ok(());
    }
    let report = crate::pipeline::demo::load(&pool, args.from.as_deref()).await?;
    for (layer, counts) in report {
        println!("{layer:>15}: {} inserted, {} updated, {} deleted", counts.inserted, counts.updated, counts.deleted);
    }
    Ok(())
}

async fn import(database: &Database, args: ImportArgs) -> Result<()> {
    use crate::pipeline::import::{Request, parse_crs, run};
    let open = || std::fs::File::open(&args.file).with_context(|| format!("reading {}", args.file.display()));
    let pool = crate::db::open(database.connect_options().await?, 2).await?;
    if crate::pipeline::dump::is_dump(open()?) {
        if args.layer.is_some() || args.commune.is_some() {
            bail!("{} is a commune dump: import it without --layer and --commune", args.file.display());
        }
        // A dump is kheo's own backup of one commune, read whole (src/pipeline/dump.rs bounds it).
        let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
        let report = crate::pipeline::dump::import_dump(&pool, &bytes).await?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let Some(layer) = args.layer else {
        bail!("say where the features go: --layer LAYER --commune CODE");
    };
    let layer = crate::layers::find(&layer).filter(|l| l.importable).with_context(|| {
        let names: Vec<&str> = crate::layers::LAYERS.iter().filter(|l| l.importable).map(|l| l.id).collect();
        format!("unknown layer `{layer}`; the layers that take imports are {}", names.join(", "))
    })?;
    // Boundaries are communes themselves; everything else goes into one.
    let commune = match (layer.role, args.commune) {
        (crate::layers::Role::Boundary, _) => String::new(),
        (_, Some(commune)) => commune,
        (_, None) => bail!("say which commune the features go into: --commune CODE"),
    };
    let mapping = match &args.mapping {
        Some(text) => {
            serde_json::from_str(text).context("--mapping must be a JSON object {\"source field\": \"layer field\"}")?
        }
        None => Default::default(),
    };
    let mut defaults: serde_json::Map<String, serde_json::Value> = match &args.defaults {
        Some(text) => serde_json::from_str(text).context("--defaults must be a JSON object {\"field\": value}")?,
        None => Default::default(),
    };
    if let Some(province) = args.province {
        defaults.insert("province".into(), province.into());
    }
    let request = Request {
        defaults,
        file_name: args.file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        layer,
        commune,
        crs: args.crs.as_deref().map(parse_crs).transpose()?,
        mapping,
        encoding: args.encoding,
        dry_run: args.dry_run,
        repair: args.repair,
        actor: args.actor,
        extent: args.extent,
        today: crate::http::today_in_vietnam(),
    };
    // Streamed from the file, never read whole; the limits are those of an upload as
    // large as the file (the operator may import more than a client may upload).
    let input = crate::import::Input::from_file(open()?)?;
    let limits = crate::import::Limits::for_upload(input.len().max(crate::http::DEFAULT_MAX_UPLOAD_BYTES as u64));
    let report = run(&pool, &input, &request, &limits).await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    if report.has_errors() {
        bail!(
            "{} of {} features have errors{}",
            report.counts.invalid,
            report.counts.read,
            if report.dry_run { "" } else { "; nothing was written" }
        );
    }
    Ok(())
}

async fn commune(database: &Database, command: CommuneCommand) -> Result<()> {
    use crate::store::communes;
    let (code, published) = match command {
        CommuneCommand::Import(a) => return import(database, commune_import_args(a)).await,
        CommuneCommand::Publish { code } => (code, true),
        CommuneCommand::Unpublish { code } => (code, false),
        CommuneCommand::List => {
            let pool = crate::db::open(database.connect_options().await?, 2).await?;
            for c in communes::list(&pool, false).await? {
                let published = communes::published(&pool, &c.code).await?.unwrap_or(false);
                println!("{}\t{}\t{}", c.code, if published { "published" } else { "unpublished" }, c.name);
            }
            return Ok(());
        }
    };
    let pool = crate::db::open(database.connect_options().await?, 2).await?;
    if !communes::set_published(&pool, &code, published).await? {
        bail!("there is no commune `{code}`");
    }
    println!("{code}: {}", if published { "published" } else { "unpublished" });
    Ok(())
}

/// `kheo commune import` is `kheo import --layer communes` with its own help.
fn commune_import_args(a: CommuneImportArgs) -> ImportArgs {
    ImportArgs {
        file: a.file,
        layer: Some("communes".into()),
        commune: None,
        crs: a.crs,
        mapping: a.mapping,
        defaults: a.defaults,
        encoding: a.encoding,
        dry_run: a.dry_run,
        repair: a.repair,
        extent: a.extent,
        actor: a.actor,
        province: a.province,
    }
}

async fn region(database: &Database, command: RegionCommand) -> Result<()> {
    use crate::store::regions::{self, Region};
    let pool = crate::db::open(database.connect_options().await?, 2).await?;
    match command {
        RegionCommand::Add { code, name, kind, communes } => {
            let region = checked_region(&code, &name, &kind)?;
            regions::upsert(&pool, &region, &communes).await?;
            println!("{code}: {} communes", communes.len());
        }
        RegionCommand::Load { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut wanted: Vec<(Region, Vec<String>)> = Vec::new();
            let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
            for (line, record) in reader.deserialize::<(String, String, String, String)>().enumerate() {
                let (code, name, kind, commune) = record
                    .with_context(|| format!("{} line {}: want region,name,kind,commune", file.display(), line + 2))?;
                let region = checked_region(&code, &name, &kind).with_context(|| format!("line {}", line + 2))?;
                match wanted.iter_mut().find(|(r, _)| r.code == region.code) {
                    Some((_, communes)) => communes.push(commune),
                    None => wanted.push((region, vec![commune])),
                }
            }
            regions::upsert_all(&pool, &wanted).await?;
            for (region, communes) in &wanted {
                println!("{}: {} communes", region.code, communes.len());
            }
        }
        RegionCommand::List => {
            for r in regions::list(&pool, false).await? {
                let communes = regions::communes(&pool, &r.code, false).await?;
                println!("{}\t{}\t{}\t{}", r.code, r.kind, r.name, communes.join(","));
            }
        }
        RegionCommand::Remove { code } => {
            if !regions::remove(&pool, &code).await? {
                bail!("there is no region `{code}` made by hand (provinces come from the communes)");
            }
            println!("{code}: removed");
        }
    }
    Ok(())
}

/// A region's code, name and kind, checked.
fn checked_region(code: &str, name: &str, kind: &str) -> Result<crate::store::regions::Region> {
    if !crate::http::is_region_code(code) || code.starts_with(['-', '_']) {
        bail!("a region code is 1-40 lower-case letters, digits, `-` or `_`: `{code}` is not");
    }
    if name.trim().is_empty() || name.chars().count() > 200 {
        bail!("region {code}: the name must be 1 to 200 characters");
    }
    if !["province", "district", "cluster"].contains(&kind) {
        bail!("region {code}: the kind is province, district or cluster, not `{kind}`");
    }
    Ok(crate::store::regions::Region { code: code.into(), name: name.trim().into(), kind: kind.into() })
}

async fn user(database: &Database, command: UserCommand) -> Result<()> {
    use crate::auth::{Role, User, password};
    let pool = crate::db::open(database.connect_options().await?, 2).await?;
    match command {
        UserCommand::Add { username, role, commune, display_name } => {
            if !crate::auth::valid_username(&username) {
                bail!("user names are 2-40 lower-case letters, digits, `.`, `_` or `-`: `{username}` is not");
            }
            let role = Role::parse(&role).context("the role is admin or editor")?;
            if role == Role::Editor && commune.is_empty() {
                bail!("an editor needs at least one --commune CODE");
            }
            let communes = if role == Role::Admin { Vec::new() } else { commune };
            let hash = password::hash(&new_password()?)?;
            let user = User { username: username.clone(), display_name, role, communes };
            crate::store::users::upsert(&pool, &user, &hash).await?;
            println!("{username}: {} {}", role.as_str(), user.communes.join(" "));
        }
        UserCommand::Passwd { username } => {
            let hash = password::hash(&new_password()?)?;
            if !crate::store::users::set_password(&pool, &username, &hash).await? {
                bail!("there is no account `{username}`");
            }
            println!("{username}: password changed, sessions ended");
        }
        UserCommand::Remove { username } => {
            if !crate::store::users::remove(&pool, &username).await? {
                bail!("there is no account `{username}`");
            }
            println!("{username}: removed, sessions ended");
        }
        UserCommand::List => {
            for user in crate::store::users::list(&pool).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    user.username,
                    user.role.as_str(),
                    user.communes.join(","),
                    user.display_name
                );
            }
        }
    }
    Ok(())
}

/// The new password from `KHEO_PASSWORD` or the first line of standard input, at least
/// [`MIN_PASSWORD_CHARS`](crate::auth::password::MIN_PASSWORD_CHARS) characters.
fn new_password() -> Result<String> {
    let password = match std::env::var("KHEO_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprint!("password: ");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if password.chars().count() < crate::auth::password::MIN_PASSWORD_CHARS {
        bail!("the password needs at least {} characters", crate::auth::password::MIN_PASSWORD_CHARS);
    }
    Ok(password)
}

/// One rebuild per CPU: the rebuild is CPU-bound in PostGIS.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

async fn db(database: &Database, command: DbCommand) -> Result<()> {
    let managed = match database {
        Database::Managed(root) => Some(Cluster::new(root, Durability::Safe)?),
        Database::Url(_) => None,
    };
    match command {
        DbCommand::Up | DbCommand::Migrate => {
            let pool = crate::db::open(database.connect_options().await?, 2).await?;
            pool.close().await;
            match &managed {
                Some(c) => println!("database ready: {}", c.url()),
                None => println!("database migrated"),
            }
        }
        DbCommand::Down => match &managed {
            Some(c) => {
                let c2 = c.clone();
                tokio::task::spawn_blocking(move || c2.down()).await??;
                println!("stopped {}", c.root().display());
            }
            None => println!("DATABASE_URL is set: kheo manages no cluster"),
        },
        DbCommand::Status => match &managed {
            Some(c) => {
                let s = c.status();
                println!("managed cluster: {}", s.root.display());
                println!("initialised:     {}", s.initialised);
                println!("running:         {}", s.running);
                println!("url:             {}", s.url);
            }
            None => println!("DATABASE_URL is set: kheo uses that database and manages nothing"),
        },
        DbCommand::Psql => {
            let url = match (&managed, database) {
                (Some(c), _) => {
                    crate::db::prepare_managed(c).await?;
                    c.url()
                }
                (None, Database::Url(url)) => url.clone(),
                (None, Database::Managed(_)) => unreachable!("managed databases have a cluster"),
            };
            let status = std::process::Command::new("psql")
                .arg(url)
                .status()
                .context("running psql (apt-get install postgresql-client)")?;
            if !status.success() {
                bail!("psql exited with {status}");
            }
        }
    }
    Ok(())
}
