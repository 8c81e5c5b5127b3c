"""``dockyard serve [CONFIG]``, ``dockyard garbage-collect CONFIG``, ``dockyard version``.

A problem with the configuration (or with what it asks for) is one line on stderr and exit
status 2, never a traceback; a garbage collection that fails midway exits with 1.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from dockyard import __version__, logs

EXIT_FAILURE = 1
EXIT_CONFIG = 2

log = logging.getLogger("dockyard.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dockyard",
        description="Dockyard: a container image registry (OCI Distribution API), "
        "a drop-in replacement for CNCF Distribution.",
    )
    parser.add_argument("-v", "--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = sub.add_parser("serve", help="serve the registry API")
    serve.add_argument(
        "config",
        nargs="?",
        metavar="CONFIG",
        help="Distribution-format config.yml (default: $REGISTRY_CONFIGURATION_PATH, else the "
        "embedded defaults: filesystem storage in ./registry-data on 127.0.0.1:5000)",
    )
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: dockyard.workers, 1)"
    )
    gc = sub.add_parser(
        "garbage-collect",
        help="delete blobs no manifest references (offline: stop the registry or make it "
        "read-only first)",
        description="Mark every blob a manifest references, then delete the rest, as "
        "Distribution's `registry garbage-collect` does. Run it while the registry is stopped "
        "or read-only.",
    )
    gc.add_argument(
        "config",
        nargs="?",
        metavar="CONFIG",
        help="the registry's config.yml (default: $REGISTRY_CONFIGURATION_PATH)",
    )
    gc.add_argument(
        "-d", "--dry-run", action="store_true", help="report what would be deleted; delete nothing"
    )
    gc.add_argument(
        "-m",
        "--delete-untagged",
        action="store_true",
        help="also delete manifests no tag currently points at (unless something kept "
        "references them)",
    )
    gc.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    sub.add_parser("version", help="print the version")
    return parser


def _fail(message: str, status: int = EXIT_CONFIG) -> int:
    print(f"dockyard: {message}", file=sys.stderr)
    return status


def serve(config_path: str | None, workers: int | None) -> int:
    from dockyard import auth, memory, preflight, server, tls
    from dockyard.config import loader, support
    from dockyard.storage.driver import factory

    memory.tune_allocators()  # before granian is imported (tls.check does)
    try:
        config = loader.load(config_path)
        warnings = support.check(config)
        factory.prepare(config.storage.driver_name, config.storage.driver_params)
        auth.build(config)  # the workers build it again: this is for one clear line, once
        tls.check(config.http)
        server.check_listen(config.http.addr)
        preflight.check(config)
    except (
        loader.ConfigError,
        factory.DriverUnavailableError,
        server.ServerConfigError,
        preflight.StartupError,
        auth.AuthConfigError,
        tls.TLSConfigError,
    ) as exc:
        return _fail(str(exc))
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    for warning in warnings:
        log.warning("configuration: %s", warning)
    try:
        server.run(config, config_path, workers)
    except server.ServerConfigError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"http.addr: cannot listen on {config.http.addr}: {exc.strerror or exc}")
    except RuntimeError as exc:  # granian reports socket errors this way
        if "os error" not in str(exc):
            raise
        reason = str(exc).splitlines()[0]  # without a Rust backtrace (RUST_BACKTRACE=1)
        return _fail(f"http.addr: cannot listen on {config.http.addr}: {reason}")
    return 0


def garbage_collect(config_path: str | None, dry_run: bool, untagged: bool, quiet: bool) -> int:
    import os

    from dockyard.config import loader, support
    from dockyard.storage import gc
    from dockyard.storage.driver import factory
    from dockyard.storage.driver.base import StorageDriverError

    config_path = config_path or os.environ.get(loader.CONFIG_PATH_ENV)
    if not config_path:
        return _fail("garbage-collect: configuration path unspecified (give CONFIG)")
    try:
        config = loader.load(config_path)
        support.check(config)
    except loader.ConfigError as exc:
        return _fail(str(exc))
    logs.setup(config.log.level, config.log.formatter, config.log.fields)
    options = gc.Options(dry_run=dry_run, delete_untagged=untagged, quiet=quiet)

    async def run() -> None:
        storage = config.storage
        driver = factory.create(storage.driver_name, storage.driver_params)
        try:
            await gc.GarbageCollector(driver, options).run()
        finally:
            await driver.close()

    try:
        asyncio.run(run())
    except gc.CorruptStorageError as exc:
        return _fail(f"garbage-collect: stopped before deleting anything: {exc}", EXIT_FAILURE)
    except StorageDriverError as exc:
        return _fail(f"garbage-collect: failed: {exc}", EXIT_FAILURE)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version or args.command == "version":
        print(f"dockyard {__version__}")
        return 0
    try:
        if args.command == "serve":
            return serve(args.config, args.workers)
        if args.command == "garbage-collect":
            return garbage_collect(args.config, args.dry_run, args.delete_untagged, args.quiet)
    except KeyboardInterrupt:
        return 0
    parser.print_help()
    return 0
