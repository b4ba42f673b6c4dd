//! The managed local PostgreSQL + PostGIS cluster, used when no `DATABASE_URL` is given.
//!
//! Layout under the cluster folder (default `.kheo/pg`): `data/` (the cluster), `run/`
//! (its Unix socket), `postgres.log`. The cluster listens on its socket only (no TCP), with
//! socket permissions 0700, so only the user who made it (or root) can connect. It is left
//! running after kheo exits so that the next start is instant; `kheo db down` stops it.
//!
//! PostgreSQL refuses to run as root; when kheo runs as root, the server binaries run as
//! the `postgres` system user (made by Debian's postgresql package) through `runuser`.

use anyhow::{Context, Result, anyhow, bail};
use sqlx::postgres::PgConnectOptions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The database kheo creates inside its managed cluster.
pub const DATABASE: &str = "kheo";
const SUPERUSER: &str = "postgres";
const PORT: u16 = 5432;
/// The longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL).
const MAX_SOCKET_PATH: usize = 107;

/// How much durability the cluster trades for speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The defaults: survives a crash. For data people care about.
    Safe,
    /// fsync off: for throwaway test clusters only.
    Throwaway,
}

/// A managed cluster in a folder.
#[derive(Debug, Clone)]
pub struct Cluster {
    root: PathBuf,
    bin_dir: PathBuf,
    run_as: Option<String>,
    durability: Durability,
}

/// What `kheo db status` reports.
#[derive(Debug)]
pub struct Status {
    pub root: PathBuf,
    pub running: bool,
    pub initialised: bool,
    pub url: String,
}

impl Cluster {
    /// Describes the cluster in `root` (it need not exist yet) and finds the PostgreSQL
    /// server binaries, failing with the packages to install when they are missing.
    pub fn new(root: &Path, durability: Durability) -> Result<Cluster> {
        let bin_dir = find_bin_dir()?;
        let run_as = if is_root() { Some(SUPERUSER.to_string()) } else { None };
        let mut root = absolute(root)?;
        if let Some(user) = &run_as
            && !user_can_reach(user, &root)
        {
            // Typical of a checkout under /root or a 0700 temporary folder. Rather than
            // loosen the permissions of someone's folders, keep the cluster where the
            // server's user can work, one folder per project folder.
            let elsewhere = PathBuf::from(format!("/var/lib/kheo/{:016x}/pg", path_hash(&root)));
            tracing::warn!(
                "the {user} user cannot reach {}; the managed cluster lives in {} instead",
                root.display(),
                elsewhere.display()
            );
            root = elsewhere;
        }
        Ok(Cluster { root, bin_dir, run_as, durability })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    /// The socket folder. Falls back to a short folder under /tmp when the project's path
    /// is too long for a Unix socket.
    fn socket_dir(&self) -> PathBuf {
        let preferred = self.root.join("run");
        let socket_len = preferred.join(format!(".s.PGSQL.{PORT}")).as_os_str().len();
        if socket_len <= MAX_SOCKET_PATH {
            preferred
        } else {
            PathBuf::from(format!("/tmp/kheo-{:016x}", path_hash(&self.root)))
        }
    }

    fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    /// Connection options for database `database` of this cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new().socket(self.socket_dir()).port(PORT).username(SUPERUSER).database(database)
    }

    /// A libpq-style URL of the kheo database, for people and for psql.
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@localhost/{DATABASE}?host={}&port={PORT}", self.socket_dir().display())
    }

    pub fn is_initialised(&self) -> bool {
        self.data_dir().join("PG_VERSION").exists()
    }

    pub fn is_running(&self) -> bool {
        self.is_initialised()
            && self
                .pg(&["pg_ctl", "status", "-D", &self.data_dir().to_string_lossy()])
                .map(|o| o.status.success())
                .unwrap_or(false)
    }

    pub fn status(&self) -> Status {
        Status {
            root: self.root.clone(),
            running: self.is_running(),
            initialised: self.is_initialised(),
            url: self.url(),
        }
    }

    /// Creates the cluster if needed and starts it if it is not running. Idempotent.
    /// The kheo database and its extensions are made by [`crate::db::prepare_managed`].
    pub fn up(&self) -> Result<()> {
        self.check_postgis()?;
        if !self.is_initialised() {
            self.init()?;
        }
        if !self.is_running() {
            self.start()?;
        }
        Ok(())
    }

    /// Stops the cluster if it runs.
    pub fn down(&self) -> Result<()> {
        if self.is_running() {
            let data = self.data_dir();
            let out = self.pg(&["pg_ctl", "stop", "-D", &data.to_string_lossy(), "-m", "fast", "-w"])?;
            ensure_success(&out, "pg_ctl stop")?;
        }
        Ok(())
    }

    /// Stops the cluster at once, as a crash would (`pg_ctl stop -m immediate`: no
    /// checkpoint, every connection cut; the next start recovers from the WAL). For outage
    /// drills and their tests.
    pub fn stop_immediately(&self) -> Result<()> {
        let data = self.data_dir();
        let out = self.pg(&["pg_ctl", "stop", "-D", &data.to_string_lossy(), "-m", "immediate", "-w"])?;
        ensure_success(&out, "pg_ctl stop -m immediate")
    }

    fn init(&self) -> Result<()> {
        let data = self.data_dir();
        self.make_dir(&self.root, 0o755)?;
        self.make_dir(&data, 0o700)?;
        let out = self.pg(&[
            "initdb",
            "-D",
            &data.to_string_lossy(),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ])?;
        ensure_success(&out, "initdb")?;
        let settings = self.settings();
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).context("reading postgresql.conf")?;
        text.push_str("\n# Written by kheo (src/db/cluster.rs)\n");
        text.push_str(&settings);
        std::fs::write(&conf, text).context("writing postgresql.conf")?;
        Ok(())
    }

    fn settings(&self) -> String {
        let mut s = format!(
            "listen_addresses = ''\nport = {PORT}\nunix_socket_directories = '{}'\n\
             unix_socket_permissions = 0700\nmax_connections = 200\nshared_buffers = 256MB\n\
             work_mem = 16MB\nmaintenance_work_mem = 256MB\njit = off\n",
            self.socket_dir().display()
        );
        if self.durability == Durability::Throwaway {
            s.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        s
    }

    fn start(&self) -> Result<()> {
        let socket = self.socket_dir();
        self.make_dir(&socket, 0o755)?;
        let log = self.log_file();
        if !log.exists() {
            std::fs::write(&log, b"").context("creating the log file")?;
            self.give_away(&log)?;
        }
        let data = self.data_dir();
        let out = self.pg(&[
            "pg_ctl",
            "start",
            "-D",
            &data.to_string_lossy(),
            "-l",
            &log.to_string_lossy(),
            "-w",
            "-t",
            "60",
        ])?;
        if !out.status.success() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = tail.lines().rev().take(15).collect();
            bail!(
                "PostgreSQL did not start ({}):\n{}\n{}",
                log.display(),
                String::from_utf8_lossy(&out.stderr),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        Ok(())
    }

    fn check_postgis(&self) -> Result<()> {
        let out = Command::new(self.bin_dir.join("pg_config")).arg("--sharedir").output();
        let share = match out {
            Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
            // Debian's layout when pg_config is not beside the server.
            _ => PathBuf::from(format!("/usr/share/postgresql/{}", self.major_version())),
        };
        if !share.join("extension/postgis.control").exists() {
            bail!(
                "PostGIS is not installed for PostgreSQL {v}. On Debian/Ubuntu: \
                 sudo apt-get install postgresql-{v}-postgis-3",
                v = self.major_version()
            );
        }
        Ok(())
    }

    fn major_version(&self) -> String {
        // /usr/lib/postgresql/15/bin -> 15
        self.bin_dir
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "15".into())
    }

    /// Makes a folder owned by the user the server runs as.
    fn make_dir(&self, dir: &Path, mode: u32) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))?;
        self.give_away(dir)
    }

    fn give_away(&self, path: &Path) -> Result<()> {
        if let Some(user) = &self.run_as {
            let status = Command::new("chown")
                .args([&format!("{user}:{user}"), &*path.to_string_lossy()])
                .status()
                .context("running chown")?;
            if !status.success() {
                bail!("could not give {} to the {user} user", path.display());
            }
        }
        Ok(())
    }

    /// Runs a PostgreSQL server binary, as the unprivileged user when we are root.
    fn pg(&self, args: &[&str]) -> Result<Output> {
        let program = self.bin_dir.join(args[0]);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        cmd.args(&args[1..]);
        // A caller's PGDATA or PGPORT must not redirect the managed cluster.
        cmd.env_remove("PGDATA").env_remove("PGPORT").env_remove("PGHOST");
        // The server must not hold the current folder (it may be unreadable to postgres).
        cmd.current_dir("/");
        cmd.output().with_context(|| format!("running {}", program.display()))
    }
}

fn ensure_success(out: &Output, what: &str) -> Result<()> {
    if out.status.success() {
        Ok(())
    } else {
        Err(anyhow!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Finds the folder with `initdb`, `pg_ctl` and `postgres`: `KHEO_PG_BINDIR`, else the
/// newest `/usr/lib/postgresql/N/bin` (Debian), else `pg_config --bindir` on the PATH.
fn find_bin_dir() -> Result<PathBuf> {
    let has_server = |dir: &Path| ["initdb", "pg_ctl", "postgres"].iter().all(|b| dir.join(b).exists());
    if let Ok(dir) = std::env::var("KHEO_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if has_server(&dir) {
            return Ok(dir);
        }
        bail!("KHEO_PG_BINDIR={} has no initdb, pg_ctl and postgres", dir.display());
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((major, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    bail!(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found. On Debian/Ubuntu: \
         sudo apt-get install postgresql postgresql-15-postgis-3 (or the postgis package that \
         matches your PostgreSQL version); or set DATABASE_URL to an existing PostGIS database"
    )
}

/// Whether `user` can walk down to `path`: its nearest existing ancestor must be
/// searchable by them (the folders below it are made by kheo, traversable).
fn user_can_reach(user: &str, path: &Path) -> bool {
    let Some(existing) = path.ancestors().find(|p| p.exists()) else { return false };
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(existing)
        .current_dir("/")
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn is_root() -> bool {
    // SAFETY-free way to learn the effective uid: the owner of /proc/self.
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid() == 0).unwrap_or(false)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() { Ok(path.to_path_buf()) } else { Ok(std::env::current_dir()?.join(path)) }
}

fn path_hash(path: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}
